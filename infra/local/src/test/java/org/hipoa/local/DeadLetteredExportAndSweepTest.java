package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.GradedEvents;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultItems;
import org.hipoa.aws.ResultQueries;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.export.ExportDeadLetterHandler;
import org.hipoa.export.ExportHandler;
import org.hipoa.export.ExportStore;
import org.hipoa.inference.SweepHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Two consumers of the table that must end what they can and skip what they cannot: the export DLQ's consumer ends
 * a dead-lettered export FAILED (DEAD_LETTERED) instead of leaving it RETRYING for ever; the sweeper times out every
 * stuck upload even when one unfinished item does not read as a result. On the local stack's table.
 */
class DeadLetteredExportAndSweepTest {
    private static EmbeddedAws aws;

    @BeforeAll
    static void start() throws Exception {
        aws = EmbeddedAws.builder().start();
    }

    @AfterAll
    static void stop() {
        if (aws != null) aws.close();
    }

    @Test
    void aDeadLetteredExport_endsFailed_withItsAttemptsKept_andADoneOneIsLeftAlone() {
        String retrying = "aa000000000000000000000000000001", done = "aa000000000000000000000000000002",
                gone = "aa000000000000000000000000000003";
        graded(retrying, Map.of("status", AttributeValue.fromS("RETRYING"), "attempts", AttributeValue.fromN("4"),
                "reason", AttributeValue.fromS("DICOMWEB_TIMEOUT"),
                "srKey", AttributeValue.fromS(ExportHandler.srKey("dlq-clinic", retrying))));
        graded(done, Map.of("status", AttributeValue.fromS("DONE"), "attempts", AttributeValue.fromN("5")));
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(message(retrying), message(done), message(gone), junk()));
        ExportDeadLetterHandler handler = new ExportDeadLetterHandler(PipelineConfig.fromEnvironment(),
                aws.dynamoDb());
        SQSBatchResponse r = handler.handleRequest(e, null);
        assertEquals(List.of(), r.getBatchItemFailures(), "all ended or dropped");

        Map<String, AttributeValue> ended = export(retrying);
        assertEquals("FAILED", ended.get("status").s());
        assertEquals("DEAD_LETTERED", ended.get("reason").s());
        assertEquals("4", ended.get("attempts").n());
        assertEquals(ExportHandler.srKey("dlq-clinic", retrying), ended.get("srKey").s());
        assertEquals("DONE", export(done).get("status").s());
        assertNull(aws.dynamoDb().getItem(b -> b.tableName(aws.names().table()).key(ResultItems.key(gone)))
                .item().get("status"), "no item is made for an upload that is gone");
    }

    /**
     * One unfinished item whose receivedAt does not parse, beside one stuck for longer than the bound: the stuck
     * one is timed out all the same. Before, the listing threw on the first and the sweep ended no upload at all.
     */
    @Test
    void anUnreadableUnfinishedItem_doesNotStopTheSweep() {
        Instant receivedAt = Instant.parse("2026-11-01T08:00:00Z");
        String stuck = "bb000000000000000000000000000001", unreadable = "bb000000000000000000000000000002";
        for (String id : List.of(stuck, unreadable)) {
            UploadRef ref = new UploadRef(aws.names().ingestBucket(), "incoming/sweep-clinic/" + id + ".dcm",
                    Optional.empty(), "0123456789abcdef0123456789abcdef", Optional.of(new Provider("sweep-clinic")));
            aws.dynamoDb().putItem(b -> b.tableName(aws.names().table())
                    .item(ResultItems.toItem(ResultRecord.received(id, ref, org.hipoa.domain.Fixtures.KEYS, receivedAt))));
        }
        aws.dynamoDb().updateItem(b -> b.tableName(aws.names().table()).key(ResultItems.key(unreadable))
                .updateExpression("SET receivedAt = :x")
                .expressionAttributeValues(Map.of(":x", AttributeValue.fromS("last tuesday"))));

        PipelineConfig config = PipelineConfig.fromEnvironment();
        Clock later = Clock.fixed(receivedAt.plus(config.stuckAfter()).plusSeconds(60), ZoneOffset.UTC);
        SweepHandler.Summary s = assertDoesNotThrow(() -> new SweepHandler(config, aws.dynamoDb(), later)
                .handleRequest(null, null));
        assertEquals(1, s.timedOut(), s.toString());
        ResultRecord r = new ResultQueries(aws.dynamoDb(), aws.names().table()).get(stuck).orElseThrow();
        assertEquals(Status.FAILED, r.status());
        assertEquals(Reason.TIMED_OUT, r.failure().orElseThrow().reason());
        assertEquals("RECEIVED", aws.dynamoDb().getItem(b -> b.tableName(aws.names().table())
                .key(ResultItems.key(unreadable))).item().get("status").s(), "left as it is");
    }

    // ------------------------------------------------------------------ helpers

    /** A result item as far as the DLQ consumer reads one: GRADED, with the export record the export left. */
    private static void graded(String uploadId, Map<String, AttributeValue> export) {
        Map<String, AttributeValue> item = new HashMap<>(ResultItems.key(uploadId));
        item.put("uploadId", AttributeValue.fromS(uploadId));
        item.put("status", AttributeValue.fromS(Status.GRADED.name()));
        item.put(ExportStore.EXPORT, AttributeValue.fromM(export));
        aws.dynamoDb().putItem(b -> b.tableName(aws.names().table()).item(item));
    }

    private static SQSEvent.SQSMessage message(String uploadId) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-" + uploadId);
        m.setBody(new GradedEvents.Graded(uploadId, "dlq-clinic").toJson());
        m.setAttributes(Map.of("ApproximateReceiveCount", "6"));
        return m;
    }

    private static SQSEvent.SQSMessage junk() {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-junk");
        m.setBody("{not json");
        return m;
    }

    private static Map<String, AttributeValue> export(String uploadId) {
        return aws.dynamoDb().getItem(b -> b.tableName(aws.names().table()).key(ResultItems.key(uploadId))
                .consistentRead(true)).item().get(ExportStore.EXPORT).m();
    }
}
