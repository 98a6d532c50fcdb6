package org.hipoa.aws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The opaque {@code next} cursor of a listing: base64url of {@code v2|{query fingerprint}|{position}}. The position
 * is the last item's {@code time#uploadId} in the listing's index; the fingerprint is a hash of the query it came
 * from (index, provider, filters, order), so a cursor replayed in any other query is refused instead of starting
 * a DynamoDB query outside its key condition (a 500 before). Nothing in it names a partition: the provider comes
 * from the request path, so a cursor cannot open another provider's listing.
 */
public final class PageToken {
    private static final String VERSION = "v2";
    private static final int MAX_LENGTH = 400;
    /** {@code receivedAt#uploadId} or {@code updatedAt#uploadId}: the fixed-width time, then the id. */
    static final Pattern POSITION =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z#([0-9a-f]{32})");

    /** A cursor this API did not issue, or issued for another query. */
    public static final class InvalidTokenException extends IllegalArgumentException {
        InvalidTokenException() {
            super("the page token is not valid for this query");
        }
    }

    private PageToken() {}

    /** The cursor that continues {@code query} after {@code position}. */
    static String encode(String query, String position) {
        if (!POSITION.matcher(position).matches()) throw new IllegalArgumentException("not a listing position");
        String text = VERSION + "|" + fingerprint(query) + "|" + position;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The position a cursor of {@code query} carries; reads nothing.
     *
     * @throws InvalidTokenException unless this API issued {@code token} for exactly this query
     */
    static String decode(String token, String query) {
        String text;
        try {
            if (token.isEmpty() || token.length() > MAX_LENGTH) throw new InvalidTokenException();
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException();
        }
        String[] parts = text.split("\\|", -1);
        if (parts.length != 3 || !parts[0].equals(VERSION) || !POSITION.matcher(parts[2]).matches()) {
            throw new InvalidTokenException();
        }
        // Constant-time: the fingerprint is no secret, but nothing is gained by a comparison that leaks timing.
        if (!MessageDigest.isEqual(parts[1].getBytes(StandardCharsets.US_ASCII),
                fingerprint(query).getBytes(StandardCharsets.US_ASCII))) {
            throw new InvalidTokenException();
        }
        return parts[2];
    }

    private static String fingerprint(String query) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
