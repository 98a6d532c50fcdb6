package org.hipoa.core.pipeline;

import org.hipoa.core.Reason;
import org.hipoa.core.Side;
import org.hipoa.core.model.Feature;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The table layout of docs/PIPELINE.md: {@link ResultRecord} ⇄ DynamoDB attribute map. The one place it lives. */
public final class ResultItems {
    public static final String PK = "pk", SK = "sk", GSI1PK = "gsi1pk", GSI1SK = "gsi1sk", GSI2PK = "gsi2pk",
            GSI2SK = "gsi2sk";
    public static final String BY_PROVIDER = "byProvider", BY_STUDY = "byStudy";
    public static final String RESULT_SK = "RESULT";

    private ResultItems() {}

    public static String pk(String uploadId) {
        return "UPLOAD#" + uploadId;
    }

    public static String providerPk(Provider p) {
        return "PROVIDER#" + p.name();
    }

    public static String studyPk(String studyKey) {
        return "STUDY#" + studyKey;
    }

    /** The primary key of an upload's result item. */
    public static Map<String, AttributeValue> key(String uploadId) {
        return Map.of(PK, s(pk(uploadId)), SK, s(RESULT_SK));
    }

    public static Map<String, AttributeValue> toItem(ResultRecord r) {
        Map<String, AttributeValue> m = new LinkedHashMap<>(key(r.uploadId()));
        r.provider().ifPresent(p -> {
            m.put(GSI1PK, s(providerPk(p)));
            m.put(GSI1SK, s(r.sortKey()));
        });
        r.studyKey().ifPresent(k -> {
            m.put(GSI2PK, s(studyPk(k)));
            m.put(GSI2SK, s(r.sortKey()));
        });
        m.put("uploadId", s(r.uploadId()));
        r.provider().ifPresent(p -> m.put("provider", s(p.name())));
        m.put("bucket", s(r.bucket()));
        m.put("objectKey", s(r.objectKey()));
        if (!r.objectVersion().isEmpty()) m.put("objectVersion", s(r.objectVersion()));
        m.put("receivedAt", s(ResultRecord.TIME.format(r.receivedAt())));
        m.put("updatedAt", s(ResultRecord.TIME.format(r.updatedAt())));
        m.put("status", s(r.status().name()));
        r.studyKey().ifPresent(k -> m.put("studyKey", s(k)));
        r.model().ifPresent(x -> m.put("model", model(x)));
        r.localiser().ifPresent(x -> m.put("localiser", model(x)));
        if (!r.hips().isEmpty()) {
            Map<String, AttributeValue> hips = new LinkedHashMap<>();
            r.hips().forEach((side, h) -> hips.put(side.key(), hip(h)));
            m.put("hips", map(hips));
        }
        r.failure().ifPresent(f -> m.put("failure", map(Map.of("stage", s(f.stage().name()),
                "reason", s(f.reason().name()), "message", s(f.message())))));
        if (!r.preprocessTimingsMs().isEmpty()) m.put("preprocessTimingsMs", timings(r.preprocessTimingsMs()));
        if (!r.inferenceTimingsMs().isEmpty()) m.put("inferenceTimingsMs", timings(r.inferenceTimingsMs()));
        return m;
    }

    /** @throws IllegalArgumentException when the item is not a result item this code wrote */
    public static ResultRecord fromItem(Map<String, AttributeValue> m) {
        try {
            Map<Side, HipResult> hips = new EnumMap<>(Side.class);
            if (m.containsKey("hips")) {
                for (Side side : Side.values()) {
                    AttributeValue h = m.get("hips").m().get(side.key());
                    if (h != null) hips.put(side, hip(h.m()));
                }
            }
            Optional<Failure> failure = Optional.ofNullable(m.get("failure")).map(AttributeValue::m)
                    .map(f -> new Failure(Stage.valueOf(f.get("stage").s()), Reason.valueOf(f.get("reason").s()),
                            f.containsKey("message") ? f.get("message").s() : null));
            return new ResultRecord(str(m, "uploadId"), opt(m, "provider").map(Provider::new), str(m, "bucket"),
                    str(m, "objectKey"), opt(m, "objectVersion").orElse(""), Instant.parse(str(m, "receivedAt")),
                    Instant.parse(str(m, "updatedAt")), Status.valueOf(str(m, "status")), opt(m, "studyKey"),
                    Optional.ofNullable(m.get("model")).map(ResultItems::model),
                    Optional.ofNullable(m.get("localiser")).map(ResultItems::model), hips, failure,
                    timings(m.get("preprocessTimingsMs")), timings(m.get("inferenceTimingsMs")));
        } catch (NullPointerException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a result item: " + e.getMessage(), e);
        }
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(Number v) {
        return AttributeValue.fromN(v.toString());
    }

    static AttributeValue map(Map<String, AttributeValue> v) {
        return AttributeValue.fromM(v);
    }

    private static AttributeValue model(ModelRef x) {
        return map(Map.of("name", s(x.name()), "version", s(x.version())));
    }

    private static ModelRef model(AttributeValue v) {
        return new ModelRef(v.m().get("name").s(), v.m().get("version").s());
    }

    private static AttributeValue hip(HipResult h) {
        Map<String, AttributeValue> p = new LinkedHashMap<>();
        for (Feature f : Feature.values()) {
            p.put(f.key(), AttributeValue.fromL(h.probabilities().get(f).stream().map(ResultItems::n).toList()));
        }
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        m.put("fo", n(h.fo()));
        m.put("ao", n(h.ao()));
        m.put("jsn", n(h.jsn()));
        m.put("sclerosis", AttributeValue.fromBool(h.sclerosis()));
        m.put("cysts", AttributeValue.fromBool(h.cysts()));
        m.put("probabilities", map(p));
        m.put("centerMm", AttributeValue.fromL(List.of(n(h.centerXmm()), n(h.centerYmm()))));
        return map(m);
    }

    private static HipResult hip(Map<String, AttributeValue> m) {
        Map<Feature, List<Double>> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            List<Double> v = new ArrayList<>();
            for (AttributeValue x : m.get("probabilities").m().get(f.key()).l()) v.add(Double.parseDouble(x.n()));
            p.put(f, v);
        }
        List<AttributeValue> c = m.get("centerMm").l();
        return new HipResult(Integer.parseInt(m.get("fo").n()), Integer.parseInt(m.get("ao").n()),
                Integer.parseInt(m.get("jsn").n()), m.get("sclerosis").bool(), m.get("cysts").bool(), p,
                Double.parseDouble(c.get(0).n()), Double.parseDouble(c.get(1).n()));
    }

    private static AttributeValue timings(Map<String, Long> t) {
        Map<String, AttributeValue> m = new TreeMap<>();
        t.forEach((k, v) -> m.put(k, n(v)));
        return map(m);
    }

    private static Map<String, Long> timings(AttributeValue v) {
        if (v == null || !v.hasM()) return Map.of();
        Map<String, Long> out = new LinkedHashMap<>();
        v.m().forEach((k, x) -> out.put(k, Long.parseLong(x.n())));
        return out;
    }

    private static String str(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        if (v == null || v.s() == null) throw new IllegalArgumentException("no " + name);
        return v.s();
    }

    private static Optional<String> opt(Map<String, AttributeValue> m, String name) {
        return Optional.ofNullable(m.get(name)).map(AttributeValue::s);
    }
}
