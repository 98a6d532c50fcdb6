package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.aws.BatchFailures;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SQS → Lambda event source mapping with {@code ReportBatchItemFailures}: long-polls the queue, fills a batch
 * (up to {@code batchSize}, waiting at most {@code batchWindow}), invokes the function with the SQSEvent Lambda
 * builds, then deletes every message not named in the response's batchItemFailures. The rest stay in flight and
 * come back after the visibility timeout; after maxReceiveCount receives the queue's redrive policy moves them to
 * the DLQ. As in Lambda, a function error, or a failure entry with an empty or unknown itemIdentifier, fails the
 * whole batch (nothing deleted). Like ScalingConfig.MaximumConcurrency, up to {@code concurrency} batches are in the
 * function at once (each poller fills and hands over its own batch), so duplicate messages of one upload can be
 * graded side by side, as on Lambda.
 */
public final class SqsEventSourceMapping implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final String region;
    private final LambdaFunction<SQSEvent, SQSBatchResponse> function;
    private final int batchSize;
    private final Duration batchWindow;
    private final List<Thread> pollers = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger batches = new AtomicInteger();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicInteger deleted = new AtomicInteger();
    private final AtomicInteger failedItems = new AtomicInteger();

    public SqsEventSourceMapping(SqsClient sqs, String queueUrl, String queueArn, String region,
                                 LambdaFunction<SQSEvent, SQSBatchResponse> function, int batchSize,
                                 Duration batchWindow) {
        this(sqs, queueUrl, queueArn, region, function, batchSize, batchWindow, 1);
    }

    /** @param concurrency pollers, each with at most one batch in the function (MaximumConcurrency) */
    public SqsEventSourceMapping(SqsClient sqs, String queueUrl, String queueArn, String region,
                                 LambdaFunction<SQSEvent, SQSBatchResponse> function, int batchSize,
                                 Duration batchWindow, int concurrency) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.queueArn = Objects.requireNonNull(queueArn, "queueArn");
        this.region = Objects.requireNonNull(region, "region");
        this.function = Objects.requireNonNull(function, "function");
        if (batchSize < 1 || batchSize > 10) throw new IllegalArgumentException("batchSize must be 1..10");
        this.batchSize = batchSize;
        this.batchWindow = Objects.requireNonNull(batchWindow, "batchWindow");
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
        for (int i = 1; i <= concurrency; i++) {
            pollers.add(Thread.ofPlatform().daemon().name("sqs-esm-" + function.name() + "-" + i)
                    .unstarted(this::pollLoop));
        }
    }

    public SqsEventSourceMapping start() {
        pollers.forEach(Thread::start);
        return this;
    }

    private void pollLoop() {
        while (running.get()) {
            try {
                List<Message> batch = receiveBatch();
                if (batch.isEmpty()) continue;
                busy.incrementAndGet();
                try {
                    handle(batch);
                } finally {
                    busy.decrementAndGet();
                }
            } catch (SdkException | IllegalStateException e) { // SQS unreachable, or the function closed
                if (!running.get()) return;
                System.err.println("local sqs event source: " + e.getMessage());
                sleep(500);
            }
        }
    }

    private List<Message> receiveBatch() {
        List<Message> batch = new ArrayList<>(receive(batchSize, 1));
        if (batch.isEmpty()) return batch;
        long deadline = System.nanoTime() + batchWindow.toNanos();
        while (batch.size() < batchSize && System.nanoTime() < deadline && running.get()) {
            List<Message> more = receive(batchSize - batch.size(), 0);
            if (more.isEmpty()) sleep(50);
            batch.addAll(more);
        }
        return batch;
    }

    private List<Message> receive(int max, int waitSeconds) {
        ReceiveMessageResponse r = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(max)
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All"));
        return r.messages();
    }

    private void handle(List<Message> batch) {
        batches.incrementAndGet();
        messages.addAndGet(batch.size());
        Set<String> ids = new HashSet<>();
        for (Message m : batch) ids.add(m.messageId());
        Set<String> keep;
        try {
            SQSBatchResponse response = function.invoke(eventJson(batch, queueArn, region));
            keep = BatchFailures.toRetry(response, ids);
        } catch (LocalFunction.FunctionError e) {
            System.err.println("local sqs event source: batch of " + batch.size() + " failed: " + e.getMessage());
            keep = ids;
        }
        failedItems.addAndGet(keep.size());
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (Message m : batch) {
            if (!keep.contains(m.messageId())) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                        .receiptHandle(m.receiptHandle()).build());
            }
        }
        if (!entries.isEmpty()) {
            var r = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            deleted.addAndGet(r.successful().size());
        }
    }

    /** The SQSEvent JSON Lambda's event source mapping builds for a batch. */
    public static String eventJson(List<Message> batch, String queueArn, String region) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode records = root.putArray("Records");
        for (Message m : batch) {
            ObjectNode r = records.addObject();
            r.put("messageId", m.messageId());
            r.put("receiptHandle", m.receiptHandle());
            r.put("body", m.body());
            ObjectNode attrs = r.putObject("attributes");
            for (Map.Entry<String, String> a : m.attributesAsStrings().entrySet()) attrs.put(a.getKey(), a.getValue());
            ObjectNode mattrs = r.putObject("messageAttributes");
            for (Map.Entry<String, MessageAttributeValue> a : m.messageAttributes().entrySet()) {
                ObjectNode v = mattrs.putObject(a.getKey());
                v.put("stringValue", a.getValue().stringValue());
                if (a.getValue().binaryValue() != null) v.put("binaryValue", a.getValue().binaryValue().asByteArray());
                v.putArray("stringListValues");
                v.putArray("binaryListValues");
                v.put("dataType", a.getValue().dataType());
            }
            r.put("md5OfBody", m.md5OfBody());
            if (m.md5OfMessageAttributes() != null) r.put("md5OfMessageAttributes", m.md5OfMessageAttributes());
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", queueArn);
            r.put("awsRegion", region);
        }
        return root.toString();
    }

    /** True while a batch is in the function (or being deleted after it). */
    /** The mapping's settings, as template.yaml names them: BatchSize, MaximumBatchingWindowInSeconds, MaximumConcurrency. */
    public record Settings(int batchSize, Duration batchingWindow, int maximumConcurrency) {}

    public Settings settings() {
        return new Settings(batchSize, batchWindow, pollers.size());
    }

    public boolean busy() {
        return busy.get() > 0;
    }

    public int batches() {
        return batches.get();
    }

    /** Messages handed to the function (a redelivered message counts again). */
    public int messages() {
        return messages.get();
    }

    public int deleted() {
        return deleted.get();
    }

    /** Messages left on the queue after a batch (reported failures, or whole failed batches). */
    public int failedItems() {
        return failedItems.get();
    }

    @Override
    public void close() {
        running.set(false);
        try {
            for (Thread p : pollers) p.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
