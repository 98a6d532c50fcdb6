package org.hipoa.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.core.Side;
import org.hipoa.core.model.Feature;
import org.hipoa.core.pipeline.HipResult;
import org.hipoa.core.pipeline.ResultRecord;

import java.util.Map;
import java.util.TreeMap;

/**
 * A stored result as the partner API returns it (docs/PIPELINE.md, "A result"); absent parts are omitted. The object
 * key, bucket and version stay in the table: they are never returned.
 */
final class ResultJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private ResultJson() {}

    static ObjectNode of(ResultRecord r) {
        ObjectNode n = JSON.createObjectNode().put("uploadId", r.uploadId());
        r.provider().ifPresent(p -> n.put("provider", p.name()));
        r.studyKey().ifPresent(k -> n.put("studyKey", k));
        n.put("status", r.status().name())
                .put("receivedAt", ResultRecord.TIME.format(r.receivedAt()))
                .put("updatedAt", ResultRecord.TIME.format(r.updatedAt()));
        if (!r.hips().isEmpty()) {
            ObjectNode hips = n.putObject("hips");
            for (Side side : Side.values()) {
                HipResult h = r.hips().get(side);
                if (h != null) hip(hips.putObject(side.key()), h);
            }
        }
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

    private static void hip(ObjectNode n, HipResult h) {
        n.put("fo", h.fo()).put("ao", h.ao()).put("jsn", h.jsn()).put("sclerosis", h.sclerosis())
                .put("cysts", h.cysts());
        ObjectNode p = n.putObject("probabilities");
        for (Feature f : Feature.values()) {
            var a = p.putArray(f.key());
            h.probabilities().get(f).forEach(a::add);
        }
    }

    private static void timings(ObjectNode n, Map<String, Long> ms) {
        new TreeMap<>(ms).forEach(n::put);
    }
}
