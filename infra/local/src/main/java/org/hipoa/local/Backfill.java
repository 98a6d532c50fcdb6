package org.hipoa.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.aws.ResultItems;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.upload.UploadRef;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local stand-in for {@code template.yaml}'s BackfillStateMachine: every object under a {@code backfill/}
 * prefix of the ingest bucket (objects there raise no event notification) becomes one S3 event record, the records
 * go {@value #BATCH} to an event (the map's ItemBatcher), and at most {@code maxConcurrency} events run the
 * preprocess function at a time, synchronously, as the Distributed Map's item processor invokes it. Grading then
 * follows the normal path (claim check → SQS → inference). A function error fails that batch only, as the map's
 * tolerated-failure setting lets it; its items are counted as failed, the rest go on.
 */
public final class Backfill {
    /** What one backfill did: items listed, preprocess invocations that returned, items whose invoke failed. */
    public record Summary(int items, int succeeded, int failed, Duration elapsed) {
        public double itemsPerSecond() {
            return items / Math.max(1e-9, elapsed.toNanos() / 1e9);
        }
    }

    /** Objects per preprocess invocation: the state machine's ItemBatcher MaxItemsPerBatch. */
    public static final int BATCH = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Backfill() {}

    /**
     * @param prefix a key prefix under {@link UploadRef#BACKFILL}, e.g. {@code backfill/acme-clinic/}
     */
    public static Summary run(EmbeddedAws aws, String prefix, int maxConcurrency) throws InterruptedException {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.startsWith(UploadRef.BACKFILL)) {
            throw new IllegalArgumentException("a backfill reads keys under " + UploadRef.BACKFILL + ", not " + prefix);
        }
        if (maxConcurrency < 1) throw new IllegalArgumentException("maxConcurrency must be >= 1");
        String bucket = aws.names().ingestBucket();
        long t0 = System.nanoTime();
        AtomicInteger ok = new AtomicInteger(), failed = new AtomicInteger();
        AtomicLong sequence = new AtomicLong(System.currentTimeMillis() << 16);
        List<Future<?>> running = new ArrayList<>();
        int items = 0;
        ExecutorService map = Executors.newFixedThreadPool(maxConcurrency,
                r -> Thread.ofPlatform().daemon().name("backfill-map").unstarted(r));
        try {
            // The ItemReader: ListObjectsV2 pages over the prefix; folder markers are no items.
            List<String> batch = new ArrayList<>(BATCH);
            // The state machine's ItemReader lists as its role (template.yaml's BackfillRole: backfill/ only).
            S3Client lister = aws.s3AsRole("BackfillRole");
            for (S3Object o : lister.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                if (o.key().endsWith("/")) continue;
                items++;
                batch.add(S3NotificationBridge.eventJson(new ObjectCreated(bucket, o.key(), o.size(), o.eTag(),
                        Optional.empty(), "ObjectCreated:Backfill", o.lastModified()), sequence.incrementAndGet(),
                        aws.region()));
                if (batch.size() == BATCH) {
                    running.add(submit(map, aws, List.copyOf(batch), ok, failed));
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) running.add(submit(map, aws, List.copyOf(batch), ok, failed));
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed.incrementAndGet();
                }
            }
        } finally {
            map.shutdownNow();
        }
        return new Summary(items, ok.get(), failed.get(), Duration.ofNanos(System.nanoTime() - t0));
    }

    private static Future<?> submit(ExecutorService map, EmbeddedAws aws, List<String> oneRecordEvents,
                                    AtomicInteger ok, AtomicInteger failed) {
        String event = merged(oneRecordEvents);
        return map.submit(() -> {
            try {
                aws.preprocessFunction().invoke(event);
                ok.addAndGet(oneRecordEvents.size());
            } catch (LocalFunction.FunctionError e) {
                failed.addAndGet(oneRecordEvents.size());
            }
        });
    }

    /** One S3 event holding the records of several one-record events, in order. */
    static String merged(List<String> oneRecordEvents) {
        try {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode records = root.putArray("Records");
            for (String e : oneRecordEvents) records.addAll((ArrayNode) JSON.readTree(e).get("Records"));
            return JSON.writeValueAsString(root);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Waits until {@code count} uploads under {@code prefix} have a finished result (GRADED or FAILED) in the table;
     * returns them by object key.
     *
     * @throws IllegalStateException on timeout, saying how far it got
     */
    public static Map<String, ResultRecord> awaitFinished(EmbeddedAws aws, String prefix, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, ResultRecord> byKey = new HashMap<>();
        org.hipoa.domain.upload.Keys keys = new org.hipoa.domain.upload.Keys(aws.studyKeySecret()); // items seal keys
        while (true) {
            byKey.clear();
            int finished = 0;
            for (Map<String, AttributeValue> item : aws.dynamoDb().scanPaginator(b -> b.tableName(aws.names().table()))
                    .items()) {
                if (!ResultItems.RESULT_SK.equals(item.get(ResultItems.SK).s())) continue;
                ResultRecord r = ResultItems.fromItem(item);
                String key = r.objectKey(keys);
                if (!key.startsWith(prefix)) continue;
                byKey.put(key, r);
                if (r.status().isTerminal()) finished++;
            }
            if (byKey.size() >= count && finished == byKey.size()) return Map.copyOf(byKey);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: " + byKey.size()
                        + " of " + count + " backfilled uploads in the table, " + finished + " GRADED or FAILED");
            }
            Thread.sleep(250);
        }
    }
}
