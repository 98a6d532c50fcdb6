package org.hipoa.aws;

import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Provider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The read side of the results table: one upload's result, a provider's listings with their cursors, and a study's
 * results within a caller's grants. The write side is {@link ResultTransitions}.
 */
public final class ResultQueries {
    /** Most items a study listing returns (the most recent of the granted providers'). */
    public static final int MAX_STUDY_RESULTS = 100;
    public static final int MAX_PAGE = 100;

    /** A page of a provider's results; {@code next} (a {@link PageToken}) continues the same listing. */
    public record Page(List<ResultRecord> results, Optional<String> next) {
        public Page {
            results = List.copyOf(results);
            Objects.requireNonNull(next, "next");
        }
    }

    private final DynamoDbClient dynamo;
    private final String table;

    public ResultQueries(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    /** Strongly consistent read of one upload's result. */
    public Optional<ResultRecord> get(String uploadId) {
        GetItemResponse r = dynamo.getItem(b -> b.tableName(table).key(ResultItems.key(uploadId)).consistentRead(true));
        return r.hasItem() && !r.item().isEmpty() ? Optional.of(ResultItems.fromItem(r.item())) : Optional.empty();
    }

    /** The time a listing is ordered and bounded by: when the upload was received, or when it last changed. */
    public enum By { RECEIVED, UPDATED }

    /** The bounds a listing's time may take: the index keys are fixed-width text, which sorts as time only here. */
    public static final Instant EARLIEST = Instant.EPOCH, LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /**
     * One listing of a provider's results — everything a cursor is bound to (not the page size): the time it runs
     * on, the statuses it keeps (empty: all), {@code since} inclusive and {@code until} exclusive on that time, and
     * the order. Bounds are whole milliseconds (the keys' precision), within {@link #EARLIEST}..{@link #LATEST}.
     */
    public record Listing(Provider provider, By by, Set<Status> statuses, Optional<Instant> since,
                          Optional<Instant> until, boolean descending) {
        public Listing {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(by, "by");
            statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
            Objects.requireNonNull(since, "since");
            Objects.requireNonNull(until, "until");
            for (Optional<Instant> t : List.of(since, until)) {
                if (t.isPresent() && (t.get().isBefore(EARLIEST) || t.get().isAfter(LATEST)
                        || t.get().getNano() % 1_000_000 != 0)) {
                    throw new IllegalArgumentException("listing bounds are whole milliseconds in 1970..9999");
                }
            }
            if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
                throw new IllegalArgumentException("since must be before until");
            }
        }

        /** The query as text, in one canonical form: what a cursor's fingerprint is taken of. */
        String canonical() {
            return String.join("|", by.name(), provider.name(),
                    String.join(",", new TreeSet<>(statuses.stream().map(Status::name).toList())),
                    since.map(ResultRecord.TIME::format).orElse(""), until.map(ResultRecord.TIME::format).orElse(""),
                    descending ? "desc" : "asc");
        }
    }

    /** Most index reads one page may take when a status filter drops items (bounds a request's time and cost). */
    static final int MAX_ROUNDS = 10;

    /**
     * Throws unless {@code token} is a cursor of exactly {@code listing}; reads nothing, so a handler can refuse a
     * stale or foreign cursor before any table read.
     *
     * @throws PageToken.InvalidTokenException as described
     */
    public static void checkToken(Listing listing, String token) {
        position(listing, token);
    }

    private static String position(Listing q, String token) {
        String p = PageToken.decode(token, q.canonical());
        // A genuine cursor lies inside its query's range; one outside it (forged) would make DynamoDB refuse the
        // start key ("does not match the range key predicate"), so it is refused here as a bad cursor.
        String time = p.substring(0, p.indexOf('#'));
        if (q.since().isPresent() && time.compareTo(ResultRecord.TIME.format(q.since().get())) < 0
                || q.until().isPresent() && time.compareTo(ResultRecord.TIME.format(q.until().get())) >= 0) {
            throw new PageToken.InvalidTokenException();
        }
        return p;
    }

    /**
     * One page of a provider's results, ordered by the listing's time (ties by uploadId). A page may hold fewer than
     * {@code limit} results while more follow (the status filter applies as the index is read, for at most
     * {@link #MAX_ROUNDS} reads); only an empty {@code next} ends the listing.
     *
     * @throws PageToken.InvalidTokenException when {@code token} is not a cursor of this listing
     */
    public Page list(Listing q, int limit, Optional<String> token) {
        if (limit < 1 || limit > MAX_PAGE) throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE);
        boolean received = q.by() == By.RECEIVED;
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        names.put("#h", received ? ResultItems.GSI1PK : ResultItems.UPDATES_PK);
        values.put(":h", AttributeValue.fromS(received ? ResultItems.providerPk(q.provider()) : q.provider().name()));
        String condition = "#h = :h";
        Optional<String> lo = q.since().map(ResultRecord.TIME::format);
        Optional<String> hi = q.until().map(ResultRecord.TIME::format); // exclusive
        if (lo.isPresent() || hi.isPresent()) {
            names.put("#r", received ? ResultItems.GSI1SK : ResultItems.UPDATES_SK); // DynamoDB refuses unused names
        }
        if (lo.isPresent() && hi.isPresent()) {
            // BETWEEN is inclusive. receivedAt#uploadId keys never equal a bare time, so `until` itself is the
            // bound there; the feed's keys are bare times, so its last included key is one millisecond earlier.
            values.put(":lo", AttributeValue.fromS(lo.get()));
            values.put(":hi", AttributeValue.fromS(received ? hi.get()
                    : ResultRecord.TIME.format(q.until().get().minusMillis(1))));
            condition += " AND #r BETWEEN :lo AND :hi";
        } else if (lo.isPresent()) {
            values.put(":lo", AttributeValue.fromS(lo.get()));
            condition += " AND #r >= :lo";
        } else if (hi.isPresent()) {
            values.put(":hi", AttributeValue.fromS(hi.get()));
            condition += " AND #r < :hi";
        }
        String filter = null;
        if (!q.statuses().isEmpty() && q.statuses().size() < Status.values().length) {
            names.put("#st", "status");
            List<String> placeholders = new ArrayList<>();
            for (Status st : new TreeSet<>(q.statuses())) {
                String v = ":st" + placeholders.size();
                values.put(v, AttributeValue.fromS(st.name()));
                placeholders.add(v);
            }
            filter = "#st IN (" + String.join(", ", placeholders) + ")";
        }
        Map<String, AttributeValue> start = token.map(t -> startKey(q, position(q, t))).orElse(null);
        List<ResultRecord> out = new ArrayList<>();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            // Each read evaluates at most the results still wanted, so the last evaluated key is exactly where
            // this page ends, whatever the filter kept.
            QueryRequest.Builder b = QueryRequest.builder().tableName(table)
                    .indexName(received ? ResultItems.BY_PROVIDER : ResultItems.BY_PROVIDER_UPDATED)
                    .keyConditionExpression(condition).expressionAttributeNames(names)
                    .expressionAttributeValues(values).limit(limit - out.size()).scanIndexForward(!q.descending());
            if (filter != null) b.filterExpression(filter);
            if (start != null) b.exclusiveStartKey(start);
            QueryResponse r = dynamo.query(b.build());
            r.items().stream().map(ResultItems::fromItem).forEach(out::add);
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
            if (start == null || out.size() >= limit) break;
        }
        Optional<String> next = Optional.ofNullable(start).map(k -> PageToken.encode(q.canonical(), received
                ? k.get(ResultItems.GSI1SK).s()
                : k.get(ResultItems.UPDATES_SK).s() + "#" + ResultItems.uploadIdOfPk(k.get(ResultItems.PK).s())));
        return new Page(out, next);
    }

    /** DynamoDB's start key for a position of {@code q}'s index (the index key plus the table key). */
    private static Map<String, AttributeValue> startKey(Listing q, String position) {
        int hash = position.indexOf('#');
        Map<String, AttributeValue> key = new LinkedHashMap<>(ResultItems.key(position.substring(hash + 1)));
        if (q.by() == By.RECEIVED) {
            key.put(ResultItems.GSI1PK, AttributeValue.fromS(ResultItems.providerPk(q.provider())));
            key.put(ResultItems.GSI1SK, AttributeValue.fromS(position));
        } else {
            key.put(ResultItems.UPDATES_PK, AttributeValue.fromS(q.provider().name()));
            key.put(ResultItems.UPDATES_SK, AttributeValue.fromS(position.substring(0, hash)));
        }
        return key;
    }

    /**
     * The results of one study within {@code providers} (the caller's grants): each provider's partition is read
     * on its own — the tenant filter comes before any cap — newest first, and the {@link #MAX_STUDY_RESULTS} most
     * recent of all are returned oldest first. Empty when none.
     */
    public List<ResultRecord> byStudy(String studyKey, Collection<Provider> providers) {
        List<ResultRecord> all = new ArrayList<>();
        for (Provider p : providers.stream().distinct().sorted(Comparator.comparing(Provider::name)).toList()) {
            int got = 0;
            Map<String, AttributeValue> start = null;
            do {
                QueryRequest.Builder q = QueryRequest.builder().tableName(table).indexName(ResultItems.BY_STUDY)
                        .keyConditionExpression("#h = :s").expressionAttributeNames(Map.of("#h", ResultItems.GSI2PK))
                        .expressionAttributeValues(Map.of(":s", AttributeValue.fromS(ResultItems.studyPk(studyKey, p))))
                        .limit(MAX_STUDY_RESULTS - got).scanIndexForward(false);
                if (start != null) q.exclusiveStartKey(start);
                QueryResponse r = dynamo.query(q.build());
                for (var item : r.items()) all.add(ResultItems.fromItem(item));
                got += r.items().size();
                start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
            } while (start != null && got < MAX_STUDY_RESULTS);
        }
        all.sort(Comparator.comparing(ResultRecord::sortKey).reversed());
        List<ResultRecord> newest = new ArrayList<>(all.subList(0, Math.min(all.size(), MAX_STUDY_RESULTS)));
        Collections.reverse(newest);
        return newest;
    }
}
