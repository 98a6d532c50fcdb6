package org.hipoa.domain;


import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.HipGrades;
import org.hipoa.domain.result.HipResult;
import org.hipoa.domain.result.NotGradable;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.result.Spacing;

/** Small real values for the pipeline tests (shared with the other modules' tests through the test jar). */
public final class Fixtures {
    public static final Keys KEYS = new Keys("0123456789abcdef-secret");
    public static final Instant T0 = Instant.parse("2026-11-27T10:15:30Z");
    public static final UploadRef REF = UploadRef.fromEvent("hipoa-incoming", "incoming/acme-clinic/a+b.dcm", "v1", "etag");
    public static final String UPLOAD_ID = REF.uploadId(KEYS);
    public static final Spacing SPACING = new Spacing("PIXEL_SPACING", false);
    public static final String STUDY_KEY = KEYS.studyKey("1.2.3.4");

    private Fixtures() {}

    public static HipResult hip(int fo, boolean cysts, double x) {
        Map<Feature, List<Double>> p = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            p.put(f, f.classes() == 4 ? List.of(0.1, 0.2, 0.3, 0.4) : List.of(0.25, 0.75));
        }
        return HipResult.graded(new HipGrades(fo, 1, 2, false, cysts, p), x, 88.5);
    }

    public static ResultRecord graded() {
        return ResultRecord.received(UPLOAD_ID, REF, KEYS, T0)
                .preprocessed(Optional.of(STUDY_KEY), SPACING, new ModelRef("hipoa-localiser", "1.0"),
                        Map.of("decode", 120L, "localise", 40L), T0.plusMillis(500))
                .graded(Optional.of(STUDY_KEY), Optional.of(SPACING), new ModelRef("hipoa-localiser", "1.0"),
                        Map.of("decode", 120L, "localise", 40L), new ModelRef("hipoa-grader", "2.1"),
                        hip(3, true, 101.25), hip(0, false, 260.5), Map.of("gradeBatch", 33L),
                        T0.plusMillis(1234));
    }

    /** As {@link #graded()}, the right hip refused for {@code why} (a replaced joint), the left one graded. */
    public static ResultRecord gradedOneHipRefused(NotGradable why) {
        return ResultRecord.received(UPLOAD_ID, REF, KEYS, T0)
                .graded(Optional.of(STUDY_KEY), Optional.of(SPACING), new ModelRef("hipoa-localiser", "1.0"),
                        Map.of("decode", 120L, "localise", 40L), new ModelRef("hipoa-grader", "2.1"),
                        HipResult.notGradable(why, 101.25, 88.5), hip(0, false, 260.5), Map.of("gradeBatch", 33L),
                        T0.plusMillis(1234));
    }

    public static HipCrop crop(Side side, int size, float seed) {
        float[] px = new float[size * size];
        for (int i = 0; i < px.length; i++) px[i] = seed + i * 0.001f - (i % 7) * 0.5f;
        return new HipCrop(side, size, px, 10, 20);
    }
}
