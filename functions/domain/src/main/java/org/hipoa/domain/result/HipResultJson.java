package org.hipoa.domain.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.Feature;
import org.hipoa.domain.Side;

import java.util.EnumMap;
import java.util.Map;

/**
 * The hip result schema, one class for every place that shows it (partner API, {@code ./hipoa grade}, the demo): a
 * graded hip {@code {"status":"GRADED","fo","ao","jsn","sclerosis","cysts","probabilities":{"fo":[…],…},
 * "centerMm":[x,y]}}, a hip that was not graded {@code {"status":"NOT_GRADABLE","reason":"ARTHROPLASTY",
 * "reasonText":"…","centerMm":[x,y]}} (no grades, no probabilities), with the values {@link HipResult} already
 * rounded.
 */
public final class HipResultJson {
    public static final ObjectMapper JSON = new ObjectMapper();

    private HipResultJson() {}

    /** {@code {"right":{…},"left":{…}}}, right first; absent sides are omitted. */
    public static ObjectNode hips(Map<Side, HipResult> hips) {
        ObjectNode n = JSON.createObjectNode();
        for (Side side : Side.values()) {
            HipResult h = hips.get(side);
            if (h != null) n.set(side.key(), hip(h));
        }
        return n;
    }

    public static ObjectNode hip(HipResult h) {
        ObjectNode n = JSON.createObjectNode().put("status", h.status().name());
        h.notGradable().ifPresent(why -> n.put("reason", why.name()).put("reasonText", why.plainWords()));
        h.grades().ifPresent(g -> {
            n.put("fo", g.fo()).put("ao", g.ao()).put("jsn", g.jsn()).put("sclerosis", g.sclerosis())
                    .put("cysts", g.cysts());
            ObjectNode p = n.putObject("probabilities");
            for (Feature f : Feature.values()) {
                ArrayNode a = p.putArray(f.key());
                g.probabilities().get(f).forEach(a::add);
            }
        });
        n.putArray("centerMm").add(h.centerXmm()).add(h.centerYmm());
        return n;
    }

    /** The grade of each feature in a hip object of this schema, as 0–3 or 0/1. */
    public static Map<Feature, Integer> grades(JsonNode hip) {
        Map<Feature, Integer> g = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            JsonNode v = hip.get(f.key());
            if (v == null) throw new IllegalArgumentException("no " + f.key() + " in a hip result");
            g.put(f, v.isBoolean() ? (v.asBoolean() ? 1 : 0) : v.asInt());
        }
        return g;
    }

    /** {@code {"source","assumed"}}: where a result's millimetres came from (claim check, API, command line). */
    public static ObjectNode spacing(Spacing s) {
        return JSON.createObjectNode().put("source", s.source()).put("assumed", s.assumed());
    }
}
