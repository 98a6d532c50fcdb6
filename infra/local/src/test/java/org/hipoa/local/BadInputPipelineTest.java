package org.hipoa.local;

import org.hipoa.aws.ResultItems;
import org.hipoa.dicom.BadInputCorpus;
import org.hipoa.domain.Reason;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sample of the decoder's bad-input corpus uploaded through the local stack (S3 → preprocess → table), one case of
 * every refusal reason plus truncations: each upload must end as exactly one FAILED item with the same reason the
 * decoder gives, and nothing may stay RECEIVED.
 */
class BadInputPipelineTest {
    private static final String PROVIDER = "corpus-clinic";

    @Test
    void sampledBadInputs_endAsExactlyOneFailedItem_withTheDecodersReason(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("gen"));
        Map<Reason, List<BadInputCorpus.Case>> byReason = new EnumMap<>(Reason.class);
        for (BadInputCorpus.Case c : BadInputCorpus.generate(tmp.resolve("gen"))) {
            if (c.expected() instanceof BadInputCorpus.Expected.Refused r) {
                byReason.computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(c);
            } else if (c.expected() instanceof BadInputCorpus.Expected.Gated g) {
                byReason.computeIfAbsent(g.reason(), k -> new ArrayList<>()).add(c); // the preprocess gate refuses it
            }
        }
        Map<String, Reason> expected = new HashMap<>(); // object key -> reason
        List<Map.Entry<String, byte[]>> uploads = new ArrayList<>();
        for (Map.Entry<Reason, List<BadInputCorpus.Case>> e : byReason.entrySet()) {
            // The first two of each reason: enough to cover every kind without a minute per kind.
            for (BadInputCorpus.Case c : e.getValue().subList(0, Math.min(2, e.getValue().size()))) {
                String key = "incoming/" + PROVIDER + "/corpus/" + uploads.size() + ".dcm";
                expected.put(key, e.getKey());
                uploads.add(Map.entry(key, c.bytes()));
            }
        }
        assertTrue(expected.size() >= 12, "sampled only " + expected.size());

        try (EmbeddedAws aws = EmbeddedAws.builder().blobStoreDir(tmp.resolve("s3")).start()) {
            for (Map.Entry<String, byte[]> u : uploads) {
                aws.upload(u.getKey(),
                        RequestBody.fromBytes(u.getValue()));
            }
            Map<String, List<ResultRecord>> byKey = new HashMap<>();
            org.hipoa.domain.upload.Keys keys = new org.hipoa.domain.upload.Keys(aws.studyKeySecret());
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (System.nanoTime() < deadline) {
                byKey.clear();
                for (Map<String, AttributeValue> item : aws.dynamoDb().scan(b -> b.tableName(aws.names().table())).items()) {
                    if (!ResultItems.RESULT_SK.equals(item.get(ResultItems.SK).s())) continue;
                    ResultRecord r = ResultItems.fromItem(item);
                    byKey.computeIfAbsent(r.objectKey(keys), k -> new ArrayList<>()).add(r);
                }
                boolean done = byKey.size() == expected.size()
                        && byKey.values().stream().flatMap(List::stream).allMatch(r -> r.status().isTerminal());
                if (done) break;
                Thread.sleep(250);
            }
            assertEquals(expected.keySet(), byKey.keySet(), "one item per upload, none missing");
            for (Map.Entry<String, Reason> e : expected.entrySet()) {
                List<ResultRecord> items = byKey.get(e.getKey());
                assertEquals(1, items.size(), e.getKey());
                ResultRecord r = items.getFirst();
                assertEquals(Status.FAILED, r.status(), e.getKey());
                assertEquals(e.getValue(), r.failure().orElseThrow().reason(), e.getKey() + ": " + r.failure());
            }
        }
    }
}
