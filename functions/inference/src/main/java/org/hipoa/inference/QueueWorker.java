package org.hipoa.inference;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.PipelineConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The GPU path's main loop (template.yaml, {@code InferenceTarget=ecs-gpu}): the same {@link InferenceHandler}, fed
 * from the same claim-check queue by long polling instead of Lambda's event source mapping, so grading, the
 * idempotent writes, the DLQ and the alarms are one code path whichever hardware grades. It deletes what the handler
 * did not list as a batch item failure; the rest come back after the visibility timeout, then go to the DLQ. On
 * SIGTERM (ECS stop) it finishes the batch in hand and exits.
 */
public final class QueueWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);
    private static final int MAX_BATCH = 10;
    private static final int LONG_POLL_SECONDS = 20;

    private final SqsClient sqs;
    private final String queueUrl;
    private final InferenceHandler handler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public QueueWorker(SqsClient sqs, String queueUrl, InferenceHandler handler) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    public static void main(String[] args) {
        PipelineConfig config = PipelineConfig.fromEnvironment();
        QueueWorker worker = new QueueWorker(AwsClients.sqs(), config.requireQueueUrl(), new InferenceHandler());
        Runtime.getRuntime().addShutdownHook(new Thread(worker::stopAndWait, "queue-worker-stop"));
        worker.run();
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    pollOnce();
                } catch (SdkException e) {
                    // Throttling or a network blip: the messages stay on the queue; back off and poll again.
                    LOG.warn("queue poll failed, retrying: {}", e.getClass().getSimpleName());
                    sleepQuietly(1000);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** One receive → grade → delete round; returns the number of messages received. */
    public int pollOnce() {
        List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(MAX_BATCH)
                .waitTimeSeconds(LONG_POLL_SECONDS).messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                .messages();
        if (batch.isEmpty()) return 0;
        Set<String> keep;
        try {
            Set<String> ids = new HashSet<>();
            for (Message m : batch) ids.add(m.messageId());
            keep = BatchFailures.toRetry(handler.handleRequest(toEvent(batch), null), ids);
        } catch (RuntimeException e) {
            // As with Lambda: a handler error leaves the whole batch for redelivery.
            LOG.error("inference batch of {} failed: {}", batch.size(), e.getClass().getSimpleName());
            return batch.size();
        }
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message m : batch) {
            if (!keep.contains(m.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(done.size()))
                        .receiptHandle(m.receiptHandle()).build());
            }
        }
        if (!done.isEmpty()) sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(done));
        return batch.size();
    }

    /** Stop polling, let the batch in hand finish (ECS allows StopTimeout = 120 s), then return. */
    public void stopAndWait() {
        running = false;
        try {
            stopped.await(110, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static SQSEvent toEvent(List<Message> batch) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>(batch.size());
        for (Message m : batch) {
            SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
            r.setMessageId(m.messageId());
            r.setReceiptHandle(m.receiptHandle());
            r.setBody(m.body());
            r.setMd5OfBody(m.md5OfBody());
            r.setAttributes(m.attributesAsStrings());
            r.setEventSource("aws:sqs");
            records.add(r);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
