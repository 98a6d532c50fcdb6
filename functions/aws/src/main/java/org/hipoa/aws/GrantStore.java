package org.hipoa.aws;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.hipoa.domain.upload.Provider;

/**
 * Which providers' results a partner may read: one item per API key in the results table
 * ({@code pk = APIKEY#{keyId}}, {@code sk = GRANTS}, {@code providers} a string set), where keyId is the first 32
 * hex characters of the key's SHA-256 — the key itself, a secret, is never stored (an operator computes the id with
 * {@code printf %s "$KEY" | sha256sum | cut -c1-32}). API Gateway has already checked the key; this is the tenancy on
 * top, so a key issued to one teleradiology partner never reads another provider's studies. No item grants nothing.
 *
 * <p>Grants are read through a short cache (one GetItem per key per minute per container): a revoked grant stops
 * working within {@link #CACHE_FOR}.
 */
public final class GrantStore {
    public static final String SK = "GRANTS", PROVIDERS = "providers";
    public static final Duration CACHE_FOR = Duration.ofSeconds(60);

    private record Cached(Set<String> providers, Instant until) {}

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public GrantStore(DynamoDbClient dynamo, String table) {
        this(dynamo, table, Clock.systemUTC());
    }

    GrantStore(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static String pk(String apiKey) {
        return "APIKEY#" + keyId(apiKey);
    }

    /** The stored identity of an API key: SHA-256, first 32 hex characters. */
    public static String keyId(String apiKey) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The provider names this API key may read (empty when none). */
    public Set<String> providersFor(String apiKey) {
        String apiKeyId = keyId(apiKey);
        Instant now = clock.instant();
        Cached c = cache.get(apiKeyId);
        if (c != null && now.isBefore(c.until())) return c.providers();
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(ResultItems.PK, AttributeValue.fromS("APIKEY#" + apiKeyId),
                        ResultItems.SK, AttributeValue.fromS(SK)))).item();
        Set<String> providers = item == null || !item.containsKey(PROVIDERS) ? Set.of()
                : Set.copyOf(item.get(PROVIDERS).ss());
        cache.put(apiKeyId, new Cached(providers, now.plus(CACHE_FOR)));
        return providers;
    }

    /** Replace a key's grants (operators; the local stack). Provider names are validated like upload prefixes. */
    public void grant(String apiKey, Set<String> providers) {
        Set<String> names = new TreeSet<>();
        for (String p : providers) {
            names.add(Provider.parse(p).orElseThrow(() -> new IllegalArgumentException("not a provider name: " + p))
                    .name());
        }
        if (names.isEmpty()) throw new IllegalArgumentException("grant at least one provider (DynamoDB has no empty sets)");
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                ResultItems.PK, AttributeValue.fromS(pk(apiKey)),
                ResultItems.SK, AttributeValue.fromS(SK),
                PROVIDERS, AttributeValue.fromSs(List.copyOf(names)))));
        cache.remove(keyId(apiKey));
    }
}
