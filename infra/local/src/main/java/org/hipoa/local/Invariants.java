package org.hipoa.local;

import org.hipoa.aws.ResultItems;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pipeline's promise checked after a run: every upload ends exactly once GRADED or FAILED.
 * <ol>
 *   <li>one result item per upload, and none for anything that was not uploaded;</li>
 *   <li>uploads = GRADED + FAILED: nothing left RECEIVED or PREPROCESSED, nothing missing;</li>
 *   <li>no status regression ever observed (the {@link StatusWatcher}'s sequences): only forward along
 *       RECEIVED → PREPROCESSED → GRADED, FAILED from any non-terminal status, nothing after a terminal one;</li>
 *   <li>the claim-check DLQ empty, or every message parked there belonging to an upload that ended: FAILED, or
 *       GRADED through another copy of the same claim check (S3 and preprocess deliver at least once, so a parked
 *       duplicate is harmless; a parked message of an unfinished upload is not); S3 events parked in the preprocess
 *       function's on-failure destination must belong to a FAILED upload.</li>
 * </ol>
 */
public final class Invariants {
    private Invariants() {}

    /** What was checked and what broke; {@link #green()} when nothing did. */
    public record Report(int uploads, int items, int graded, int failed, Map<String, Integer> failedByReason,
                         Map<String, Integer> stuckByStatus, List<String> violations, int dlqMessages,
                         int parkedS3Events, int watcherScans) {
        public boolean green() {
            return violations.isEmpty();
        }

        /** A few lines for a person: the counts, then up to {@code max} violations. */
        public String summary(int max) {
            StringBuilder b = new StringBuilder();
            b.append(String.format("invariants %s: %d uploads, %d items, %d GRADED + %d FAILED %s, stuck %s, "
                            + "DLQ %d, parked S3 events %d, watcher scans %d", green() ? "GREEN" : "RED", uploads,
                    items, graded, failed, failedByReason, stuckByStatus, dlqMessages, parkedS3Events, watcherScans));
            for (int i = 0; i < Math.min(max, violations.size()); i++) b.append("\n  ").append(violations.get(i));
            if (violations.size() > max) b.append("\n  … ").append(violations.size() - max).append(" more");
            return b.toString();
        }
    }

    private static final List<String> ORDER = List.of("RECEIVED", "PREPROCESSED", "GRADED");

    /**
     * @param uploadIds the uploads made (their ids as the handlers compute them)
     * @param sequences each upload's observed statuses ({@link StatusWatcher#sequences()})
     */
    public static Report check(EmbeddedAws aws, Collection<String> uploadIds, Map<String, List<String>> sequences,
                               int watcherScans) {
        Map<String, ResultRecord> items = new HashMap<>();
        Map<String, Integer> perUpload = new HashMap<>();
        for (Map<String, AttributeValue> item : aws.dynamoDb().scanPaginator(b -> b.tableName(aws.names().table())
                .consistentRead(true)).items()) {
            AttributeValue sk = item.get(ResultItems.SK);
            if (sk == null || !ResultItems.RESULT_SK.equals(sk.s())) continue; // grants and other items
            ResultRecord r = ResultItems.fromItem(item);
            items.put(r.uploadId(), r);
            perUpload.merge(r.uploadId(), 1, Integer::sum);
        }
        List<Message> dlq = drainView(aws, aws.deadLetterQueueUrl());
        // Items hold no object key in clear: a parked event is matched by the uploadId its object version has.
        org.hipoa.domain.upload.Keys keys = new org.hipoa.domain.upload.Keys(aws.studyKeySecret());
        List<String> parkedS3 = aws.notifications().failedEvents().stream().map(S3NotificationBridge.FailedEvent::eventJson)
                .map(json -> uploadIdOf(json, keys)).toList();
        return evaluate(new HashSet<>(uploadIds), items, perUpload, sequences,
                dlq.stream().map(m -> FaultPlan.uploadIdIn(m.body())).toList(), parkedS3, watcherScans);
    }

    static Report evaluate(Set<String> uploads, Map<String, ResultRecord> items, Map<String, Integer> perUpload,
                           Map<String, List<String>> sequences, List<String> dlqUploadIds, List<String> parkedS3,
                           int watcherScans) {
        List<String> v = new ArrayList<>();
        int graded = 0, failed = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        Map<String, Integer> stuck = new TreeMap<>();
        for (String id : new java.util.TreeSet<>(uploads)) {
            ResultRecord r = items.get(id);
            if (r == null) {
                v.add("missing: upload " + id + " has no result item");
                stuck.merge("MISSING", 1, Integer::sum);
                continue;
            }
            switch (r.status()) {
                case GRADED -> graded++;
                case FAILED -> {
                    failed++;
                    reasons.merge(r.failure().map(f -> f.stage() + "/" + f.reason()).orElse("?"), 1, Integer::sum);
                }
                default -> {
                    v.add("stuck: upload " + id + " ended " + r.status());
                    stuck.merge(r.status().name(), 1, Integer::sum);
                }
            }
        }
        for (Map.Entry<String, Integer> e : perUpload.entrySet()) {
            if (e.getValue() != 1) v.add("duplicate: upload " + e.getKey() + " has " + e.getValue() + " items");
            if (!uploads.contains(e.getKey())) v.add("extra: item " + e.getKey() + " belongs to no upload");
        }
        if (graded + failed != uploads.size() && v.isEmpty()) {
            v.add("count: " + uploads.size() + " uploads but " + graded + " GRADED + " + failed + " FAILED");
        }
        for (Map.Entry<String, List<String>> e : sequences.entrySet()) {
            String why = regression(e.getValue());
            if (why != null) v.add("regression: upload " + e.getKey() + " " + why + " " + e.getValue());
        }
        for (String id : dlqUploadIds) {
            ResultRecord r = id == null ? null : items.get(id);
            if (r == null || !r.status().isTerminal()) {
                v.add("dlq: a parked claim check " + (id == null ? "(not a claim check)" : "of upload " + id)
                        + " is not reflected as FAILED" + (r == null ? "" : " (item is " + r.status() + ")"));
            }
        }
        for (String id : parkedS3) {
            ResultRecord r = items.get(id);
            if (r == null || r.status() != Status.FAILED) {
                v.add("s3 on-failure destination: the event of upload " + id + " is not reflected as FAILED");
            }
        }
        return new Report(uploads.size(), items.size(), graded, failed, reasons, stuck, List.copyOf(v),
                dlqUploadIds.size(), parkedS3.size(), watcherScans);
    }

    /** Why this observed sequence is not allowed, or null. */
    static String regression(List<String> s) {
        for (int i = 1; i < s.size(); i++) {
            String prev = s.get(i - 1), cur = s.get(i);
            if (prev.equals("GRADED") || prev.equals("FAILED")) return "left terminal " + prev + " for " + cur;
            if (!cur.equals("FAILED") && ORDER.indexOf(cur) <= ORDER.indexOf(prev)) {
                return "went back from " + prev + " to " + cur;
            }
        }
        return null;
    }

    /**
     * The queue's messages, looked at without consuming them: received (hidden) until none is left, then made
     * visible again.
     */
    static List<Message> drainView(EmbeddedAws aws, String queueUrl) {
        Map<String, Message> seen = new LinkedHashMap<>();
        while (true) {
            List<Message> got = aws.sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(60).waitTimeSeconds(0)).messages();
            if (got.isEmpty()) break;
            for (Message m : got) seen.putIfAbsent(m.messageId(), m);
        }
        for (Message m : seen.values()) {
            aws.sqs().changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())
                    .visibilityTimeout(0));
        }
        return List.copyOf(seen.values());
    }

    /** The uploadId of the (first) object version an S3 event names, as the preprocess function computes it. */
    private static String uploadIdOf(String eventJson, org.hipoa.domain.upload.Keys keys) {
        try {
            var s3 = new com.fasterxml.jackson.databind.ObjectMapper().readTree(eventJson).path("Records").path(0)
                    .path("s3");
            var o = s3.path("object");
            return org.hipoa.domain.upload.UploadRef.fromEvent(s3.path("bucket").path("name").asText(),
                    o.path("key").asText(), o.path("versionId").asText(null), o.path("eTag").asText(null))
                    .uploadId(keys);
        } catch (java.io.IOException e) {
            return "(an unreadable event)";
        }
    }
}
