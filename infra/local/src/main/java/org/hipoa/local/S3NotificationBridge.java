package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Consumer;

/**
 * S3 event notification → Lambda asynchronous invoke. Every object created under the configured prefix of the
 * ingest bucket becomes the event JSON S3 sends (one record), queued and handed to the function off the PUT's
 * thread. A function error is retried like async invoke does (twice by default, after growing delays; Lambda
 * waits about 1 and 2 minutes, locally it is shorter); an event that still fails lands in {@link #failedEvents()},
 * the stand-in for the on-failure destination. S3 delivers at least once: {@code deliveriesPerEvent > 1} sends
 * every event that many times, to prove the handler is idempotent.
 */
public final class S3NotificationBridge implements Consumer<ObjectCreated>, AutoCloseable {
    /** An event that exhausted its retries, with the last error. */
    public record FailedEvent(String eventJson, String error) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter EVENT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final LambdaFunction<S3Event, ?> function;
    private final String bucket;
    private final String prefix;
    private final String region;
    private final Function<ObjectCreated, List<Duration>> deliveryPlan;
    private final List<Duration> retryDelays;
    private final ScheduledExecutorService queue;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() << 16);
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicInteger invocations = new AtomicInteger();
    private final List<FailedEvent> failed = new ArrayList<>();

    /**
     * @param retryDelays one entry per retry after a function error (Lambda's default is two retries)
     */
    public S3NotificationBridge(LambdaFunction<S3Event, ?> function, String bucket, String prefix, String region,
                                int deliveriesPerEvent, List<Duration> retryDelays, int concurrency) {
        this(function, bucket, prefix, region, everyTime(deliveriesPerEvent), retryDelays, concurrency);
    }

    /**
     * @param deliveryPlan for each object, the delay of each delivery of its event (S3 delivers at least once, late,
     *                     and in no particular order): one entry per delivery
     */
    public S3NotificationBridge(LambdaFunction<S3Event, ?> function, String bucket, String prefix, String region,
                                Function<ObjectCreated, List<Duration>> deliveryPlan, List<Duration> retryDelays,
                                int concurrency) {
        this.function = Objects.requireNonNull(function, "function");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.region = Objects.requireNonNull(region, "region");
        this.deliveryPlan = Objects.requireNonNull(deliveryPlan, "deliveryPlan");
        this.retryDelays = List.copyOf(retryDelays);
        AtomicInteger n = new AtomicInteger();
        this.queue = Executors.newScheduledThreadPool(Math.max(1, concurrency),
                r -> Thread.ofPlatform().daemon().name("s3-notify-" + n.incrementAndGet()).unstarted(r));
    }

    /** Called by the blob store for every stored object; cheap and non-blocking. */
    @Override
    public void accept(ObjectCreated o) {
        if (!o.bucket().equals(bucket) || !o.key().startsWith(prefix)) return;
        String json = eventJson(o, sequencer.incrementAndGet(), region);
        events.incrementAndGet();
        List<Duration> deliveries = deliveryPlan.apply(o);
        if (deliveries.isEmpty()) throw new IllegalStateException("every event is delivered at least once");
        for (Duration delay : deliveries) {
            pending.incrementAndGet();
            try {
                queue.schedule(() -> attempt(json, 0), delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                pending.decrementAndGet();
            }
        }
    }

    /** The plan of a bridge without faults: {@code n} deliveries, at once. */
    public static Function<ObjectCreated, List<Duration>> everyTime(int n) {
        if (n < 1) throw new IllegalArgumentException("deliveriesPerEvent must be >= 1");
        List<Duration> plan = java.util.Collections.nCopies(n, Duration.ZERO);
        return o -> plan;
    }

    private void attempt(String json, int retry) {
        try {
            invocations.incrementAndGet();
            function.invoke(json);
            pending.decrementAndGet();
        } catch (RuntimeException e) { // a function error, a crash or a timeout: Lambda retries all of them
            if (retry < retryDelays.size() && !queue.isShutdown()) {
                queue.schedule(() -> attempt(json, retry + 1), retryDelays.get(retry).toMillis(),
                        TimeUnit.MILLISECONDS);
            } else {
                synchronized (failed) {
                    failed.add(new FailedEvent(json, String.valueOf(e.getMessage())));
                }
                pending.decrementAndGet();
            }
        }
    }

    /** The event JSON S3 sends to Lambda for one created object (one record; key URL-encoded as S3 does). */
    public static String eventJson(ObjectCreated o, long sequence, String region) {
        ObjectNode rec = JSON.createObjectNode();
        rec.put("eventVersion", "2.1");
        rec.put("eventSource", "aws:s3");
        rec.put("awsRegion", region);
        rec.put("eventTime", EVENT_TIME.format(o.eventTime()));
        rec.put("eventName", o.eventName());
        rec.putObject("userIdentity").put("principalId", "AWS:" + "LOCALPROVIDER");
        rec.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        ObjectNode response = rec.putObject("responseElements");
        response.put("x-amz-request-id", HexFormat.of().toHexDigits(sequence).toUpperCase());
        response.put("x-amz-id-2", "local/" + sequence);
        ObjectNode s3 = rec.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "IngestObjectCreated");
        ObjectNode b = s3.putObject("bucket");
        b.put("name", o.bucket());
        b.putObject("ownerIdentity").put("principalId", "LOCALOWNER");
        b.put("arn", "arn:aws:s3:::" + o.bucket());
        ObjectNode obj = s3.putObject("object");
        obj.put("key", encodeKey(o.key()));
        obj.put("size", o.size());
        obj.put("eTag", o.eTag());
        o.versionId().ifPresent(v -> obj.put("versionId", v));
        obj.put("sequencer", HexFormat.of().toHexDigits(sequence).toUpperCase());
        ObjectNode root = JSON.createObjectNode();
        root.putArray("Records").add(rec);
        return root.toString();
    }

    /** S3 notifications URL-encode the key form-style ("a b" → "a+b") but leave '/' alone. */
    static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    /** Deliveries queued or being retried. */
    public int pending() {
        return pending.get();
    }

    /** Objects that raised an event (each delivered {@code deliveriesPerEvent} times). */
    public int events() {
        return events.get();
    }

    /** Handler invocations, retries included. */
    public int invocations() {
        return invocations.get();
    }

    /** Events that failed every attempt (the on-failure destination). */
    public List<FailedEvent> failedEvents() {
        synchronized (failed) {
            return List.copyOf(failed);
        }
    }

    @Override
    public void close() {
        queue.shutdownNow();
    }
}
