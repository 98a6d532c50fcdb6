package org.hipoa.aws;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code next} token of a provider listing: base64url of the last item's position ({@code gsi1sk}), nothing
 * else. The partition is re-derived from the request, so a token cannot reach another provider's items.
 */
public final class PageToken {
    private static final Pattern SORT_KEY =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z#([0-9a-f]{32})");

    /** A token that this API did not issue. */
    public static final class InvalidTokenException extends IllegalArgumentException {
        InvalidTokenException() {
            super("the page token is not valid");
        }
    }

    private PageToken() {}

    static String encode(Map<String, AttributeValue> lastEvaluatedKey) {
        String sortKey = lastEvaluatedKey.get(ResultItems.GSI1SK).s();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sortKey.getBytes(StandardCharsets.UTF_8));
    }

    /** Throws {@link InvalidTokenException} unless this API could have issued {@code token}; reads nothing. */
    public static void check(String token) {
        decode(token, "");
    }

    static Map<String, AttributeValue> decode(String token, String providerPk) {
        String sortKey;
        try {
            if (token.length() > 200) throw new InvalidTokenException();
            sortKey = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException();
        }
        var m = SORT_KEY.matcher(sortKey);
        if (!m.matches()) throw new InvalidTokenException();
        return Map.of(ResultItems.PK, AttributeValue.fromS(ResultItems.pk(m.group(1))),
                ResultItems.SK, AttributeValue.fromS(ResultItems.RESULT_SK),
                ResultItems.GSI1PK, AttributeValue.fromS(providerPk),
                ResultItems.GSI1SK, AttributeValue.fromS(sortKey));
    }
}
