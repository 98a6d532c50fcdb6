package org.hipoa.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.result.HipResultJson;
import org.hipoa.domain.result.ResultRecord;

import java.util.Map;
import java.util.TreeMap;

/**
 * A stored result as the partner API returns it (docs/PIPELINE.md, "A result"); absent parts are omitted. The object
 * key, bucket and version stay in the table: they are never returned.
 */
final class ResultJson {
    static final ObjectMapper JSON = HipResultJson.JSON;

    private ResultJson() {}

    static ObjectNode of(ResultRecord r) {
        ObjectNode n = JSON.createObjectNode().put("uploadId", r.uploadId());
        r.provider().ifPresent(p -> n.put("provider", p.name()));
        r.studyKey().ifPresent(k -> n.put("studyKey", k));
        n.put("status", r.status().name())
                .put("receivedAt", ResultRecord.TIME.format(r.receivedAt()))
                .put("updatedAt", ResultRecord.TIME.format(r.updatedAt()));
        if (!r.hips().isEmpty()) n.set("hips", HipResultJson.hips(r.hips()));
        r.spacing().ifPresent(x -> n.set("spacing", HipResultJson.spacing(x)));
        r.model().ifPresent(m -> n.putObject("model").put("name", m.name()).put("version", m.version()));
        r.failure().ifPresent(f -> n.putObject("failure").put("stage", f.stage().name())
                .put("reason", f.reason().name()).put("message", f.message()));
        if (!r.preprocessTimingsMs().isEmpty() || !r.inferenceTimingsMs().isEmpty()) {
            ObjectNode t = n.putObject("timingsMs");
            if (!r.preprocessTimingsMs().isEmpty()) timings(t.putObject("preprocess"), r.preprocessTimingsMs());
            if (!r.inferenceTimingsMs().isEmpty()) timings(t.putObject("inference"), r.inferenceTimingsMs());
        }
        return n;
    }

    private static void timings(ObjectNode n, Map<String, Long> ms) {
        new TreeMap<>(ms).forEach(n::put);
    }
}
