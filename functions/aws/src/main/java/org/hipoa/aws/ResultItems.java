package org.hipoa.aws;

import org.hipoa.domain.Reason;
import org.hipoa.domain.Side;
import org.hipoa.domain.Feature;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.result.Stage;
import org.hipoa.domain.result.Failure;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.HipGrades;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.HipStatus;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Spacing;

/** The table layout of docs/PIPELINE.md: {@link ResultRecord} ⇄ DynamoDB attribute map. The one place it lives. */
public final class ResultItems {
    public static final String PK = "pk", SK = "sk", GSI1PK = "gsi1pk", GSI1SK = "gsi1sk", GSI2PK = "gsi2pk",
            GSI2SK = "gsi2sk";
    public static final String BY_PROVIDER = "byProvider", BY_STUDY = "byStudy";
    /**
     * The change feed's index: keyed by the plain {@code provider} and {@code updatedAt} attributes that every
     * write of a provider's item already sets, so each status change moves the item to the feed's end with no extra
     * attribute to keep in step (an item without a provider, BAD_KEY, is not in it).
     */
    public static final String BY_PROVIDER_UPDATED = "byProviderUpdated", UPDATES_PK = "provider",
            UPDATES_SK = "updatedAt";
    public static final String RESULT_SK = "RESULT";
    private static final String UPLOAD_PREFIX = "UPLOAD#";
    /**
     * The object key, sealed ({@link org.hipoa.domain.upload.Keys#sealObjectKey}): providers name files after
     * patients, so the table never holds a key in clear.
     */
    public static final String SEALED_KEY = "objectKeySealed";
    /**
     * What each index projects besides the keys (template.yaml, ProjectionType INCLUDE): what the partner API reads
     * from a listing ({@code ResultJson}) and {@link #fromItem} needs. Not the sealed key nor the version: the
     * steps that read the upload again read the item itself.
     */
    public static final List<String> INDEX_ATTRIBUTES = List.of("uploadId", "provider", "bucket", "receivedAt",
            "updatedAt", "status", "studyKey", "model", "hips", "failure", "spacing", "preprocessTimingsMs",
            "inferenceTimingsMs");

    private ResultItems() {}

    public static String pk(String uploadId) {
        return UPLOAD_PREFIX + uploadId;
    }

    /** The upload a result item's {@link #PK} value names (a listing's last evaluated key carries no uploadId). */
    static String uploadIdOfPk(String pk) {
        if (!pk.startsWith(UPLOAD_PREFIX)) throw new IllegalArgumentException("not a result item's key");
        return pk.substring(UPLOAD_PREFIX.length());
    }

    public static String providerPk(Provider p) {
        return "PROVIDER#" + p.name();
    }

    /**
     * A study's partition within one tenant: {@code STUDY#{studyKey}#PROVIDER#{provider}}. The tenant is part of the
     * key so a study query reads only the granted providers' items — uploads of the same Study Instance UID under
     * another provider's prefix can neither crowd out nor be read with the owner's.
     */
    public static String studyPk(String studyKey, Provider p) {
        return "STUDY#" + studyKey + "#PROVIDER#" + p.name();
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
        if (r.studyKey().isPresent() && r.provider().isPresent()) {
            m.put(GSI2PK, s(studyPk(r.studyKey().get(), r.provider().get())));
            m.put(GSI2SK, s(r.sortKey()));
        }
        m.put("uploadId", s(r.uploadId()));
        r.provider().ifPresent(p -> m.put("provider", s(p.name())));
        m.put("bucket", s(r.bucket()));
        r.sealedKey().ifPresent(k -> m.put(SEALED_KEY, s(k)));
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
        r.spacing().ifPresent(x -> m.put("spacing", map(Map.of("source", s(x.source()),
                "assumed", AttributeValue.fromBool(x.assumed())))));
        if (!r.preprocessTimingsMs().isEmpty()) m.put("preprocessTimingsMs", timings(r.preprocessTimingsMs()));
        if (!r.inferenceTimingsMs().isEmpty()) m.put("inferenceTimingsMs", timings(r.inferenceTimingsMs()));
        return m;
    }

    /** @throws IllegalArgumentException when the item is not a result item this code wrote */
    public static ResultRecord fromItem(Map<String, AttributeValue> m) {
        Map<Side, HipResult> hips = new EnumMap<>(Side.class);
        Optional<Map<String, AttributeValue>> hipMap = optMap(m, "hips");
        for (Side side : Side.values()) {
            Optional<Map<String, AttributeValue>> h = hipMap.flatMap(x -> optMap(x, side.key()));
            h.ifPresent(x -> hips.put(side, hip(x)));
        }
        Optional<Failure> failure = optMap(m, "failure").map(f -> new Failure(
                enumOf(Stage.class, str(f, "stage")), enumOf(Reason.class, str(f, "reason")),
                opt(f, "message").orElse(null)));
        Optional<Spacing> spacing = optMap(m, "spacing").map(x -> new Spacing(str(x, "source"), bool(x, "assumed")));
        return new ResultRecord(str(m, "uploadId"), opt(m, "provider").map(Provider::new), str(m, "bucket"),
                opt(m, SEALED_KEY), opt(m, "objectVersion").orElse(""), time(m, "receivedAt"), time(m, "updatedAt"),
                enumOf(Status.class, str(m, "status")), opt(m, "studyKey"), optMap(m, "model").map(ResultItems::model),
                optMap(m, "localiser").map(ResultItems::model), hips, failure, timings(m.get("preprocessTimingsMs")),
                timings(m.get("inferenceTimingsMs")), spacing);
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

    private static ModelRef model(Map<String, AttributeValue> v) {
        return new ModelRef(str(v, "name"), str(v, "version"));
    }

    /**
     * A graded hip: its grades, probabilities and centre; a hip not graded: {@code status}, {@code reason} and the
     * centre. Items written before hips had a status hold grades only and read back as GRADED.
     */
    private static AttributeValue hip(HipResult h) {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        m.put("status", s(h.status().name()));
        h.notGradable().ifPresent(why -> m.put("reason", s(why.name())));
        h.grades().ifPresent(g -> {
            Map<String, AttributeValue> p = new LinkedHashMap<>();
            for (Feature f : Feature.values()) {
                p.put(f.key(), AttributeValue.fromL(g.probabilities().get(f).stream().map(ResultItems::n).toList()));
            }
            m.put("fo", n(g.fo()));
            m.put("ao", n(g.ao()));
            m.put("jsn", n(g.jsn()));
            m.put("sclerosis", AttributeValue.fromBool(g.sclerosis()));
            m.put("cysts", AttributeValue.fromBool(g.cysts()));
            m.put("probabilities", map(p));
        });
        m.put("centerMm", AttributeValue.fromL(List.of(n(h.centerXmm()), n(h.centerYmm()))));
        return map(m);
    }

    private static HipResult hip(Map<String, AttributeValue> m) {
        List<Double> c = numbers(m, "centerMm");
        if (c.size() != 2) throw new IllegalArgumentException("centerMm must be [x, y]");
        HipStatus status = opt(m, "status").map(x -> enumOf(HipStatus.class, x)).orElse(HipStatus.GRADED);
        if (status == HipStatus.NOT_GRADABLE) {
            return new HipResult(Optional.empty(), Optional.of(enumOf(NotGradable.class, str(m, "reason"))), c.get(0),
                    c.get(1));
        }
        Map<String, AttributeValue> probabilities = optMap(m, "probabilities")
                .orElseThrow(() -> new IllegalArgumentException("no probabilities"));
        Map<Feature, List<Double>> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) p.put(f, numbers(probabilities, f.key()));
        HipGrades g = new HipGrades(number(m, "fo").intValue(), number(m, "ao").intValue(),
                number(m, "jsn").intValue(), bool(m, "sclerosis"), bool(m, "cysts"), p);
        return new HipResult(Optional.of(g), Optional.empty(), c.get(0), c.get(1));
    }

    private static AttributeValue timings(Map<String, Long> t) {
        Map<String, AttributeValue> m = new TreeMap<>();
        t.forEach((k, v) -> m.put(k, n(v)));
        return map(m);
    }

    private static Map<String, Long> timings(AttributeValue v) {
        if (v == null || !v.hasM()) return Map.of();
        Map<String, Long> out = new LinkedHashMap<>();
        v.m().forEach((k, x) -> out.put(k, number(v.m(), k).longValue()));
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

    // Each reader names the attribute that is missing or of the wrong type, so a foreign item is refused with a
    // reason instead of a NullPointerException three calls later.
    private static Optional<Map<String, AttributeValue>> optMap(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        if (v == null) return Optional.empty();
        if (!v.hasM()) throw new IllegalArgumentException(name + " is not a map");
        return Optional.of(v.m());
    }

    private static boolean bool(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        if (v == null || v.bool() == null) throw new IllegalArgumentException("no boolean " + name);
        return v.bool();
    }

    private static Double number(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        if (v == null || v.n() == null) throw new IllegalArgumentException("no number " + name);
        return parse(v.n(), name);
    }

    private static List<Double> numbers(Map<String, AttributeValue> m, String name) {
        AttributeValue v = m.get(name);
        if (v == null || !v.hasL()) throw new IllegalArgumentException("no list " + name);
        List<Double> out = new ArrayList<>();
        for (AttributeValue x : v.l()) {
            if (x.n() == null) throw new IllegalArgumentException(name + " holds a non-number");
            out.add(parse(x.n(), name));
        }
        return out;
    }

    private static double parse(String n, String name) {
        try {
            return Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number", e);
        }
    }

    private static Instant time(Map<String, AttributeValue> m, String name) {
        try {
            return Instant.parse(str(m, name));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(name + " is not an ISO-8601 instant", e);
        }
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown " + type.getSimpleName() + " " + value, e);
        }
    }
}
