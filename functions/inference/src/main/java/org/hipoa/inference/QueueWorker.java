package org.hipoa.inference;

import org.hipoa.aws.BatchFailures;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.Invocation;
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
 * The GPU path's main loop (template.yaml, {@code InferenceTarget=ecs-gpu}): the inference function's
 * {@link ClaimCheckGrader}, fed from the same claim-check queue by long polling instead of Lambda's event source
 * mapping, so grading, the idempotent writes, the DLQ and the alarms are one code path whichever hardware grades. It
 * deletes what the grader did not send back; the rest come back after the visibility timeout, then go to the DLQ. On
 * SIGTERM (ECS stop) it finishes the batch in hand and exits.
 */
public final class QueueWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);
    private static final int MAX_BATCH = 10;
    private static final int LONG_POLL_SECONDS = 20;

    private final SqsClient sqs;
    private final String queueUrl;
    private final ClaimCheckGrader grader;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public QueueWorker(SqsClient sqs, String queueUrl, ClaimCheckGrader grader) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.grader = Objects.requireNonNull(grader, "grader");
    }

    public static void main(String[] args) {
        PipelineConfig config = PipelineConfig.fromEnvironment();
        QueueWorker worker = new QueueWorker(AwsClients.sqs(), config.requireQueueUrl(),
                ClaimCheckGrader.fromEnvironment());
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
            // Metrics as a Lambda invocation has them: one flush per batch.
            keep = new HashSet<>(Invocation.run(null, metrics -> grader.gradeBatch(claimChecks(batch), metrics)));
        } catch (RuntimeException e) {
            // As with Lambda: a grading error leaves the whole batch for redelivery.
            LOG.error("inference batch of {} failed: {}", batch.size(), e.getClass().getSimpleName());
            return batch.size();
        }
        List<DeleteMessageBatchRequestEntry> done = deletions(batch, keep);
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

    /** The received messages as the grader takes them. */
    static List<ClaimCheck> claimChecks(List<Message> batch) {
        List<ClaimCheck> checks = new ArrayList<>(batch.size());
        for (Message m : batch) {
            checks.add(new ClaimCheck(m.messageId(), m.body(), BatchFailures.receiveCount(m.attributesAsStrings())));
        }
        return checks;
    }

    /** A delete for each message of the batch that is not to come back, by its receipt handle. */
    static List<DeleteMessageBatchRequestEntry> deletions(List<Message> batch, Set<String> keep) {
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message m : batch) {
            if (!keep.contains(m.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(done.size()))
                        .receiptHandle(m.receiptHandle()).build());
            }
        }
        return done;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
