package org.hipoa.preprocess;

import org.hipoa.core.Rejection;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.crop.HipCrop;
import org.hipoa.core.dicom.DecodeResult;
import org.hipoa.core.dicom.Radiograph;
import org.hipoa.core.dicom.RadiographDecoder;
import org.hipoa.core.model.GradingPipeline;
import org.hipoa.core.model.HipLocator;
import org.hipoa.core.pipeline.Keys;
import org.hipoa.core.pipeline.ModelRef;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The pure part of preprocessing: DICOM bytes → decoded radiograph → located hips → two crops, or the reason
 * there are none. No AWS, so it is tested on real phantom films. Built once per container (it owns the localiser);
 * thread-safe.
 */
public final class CropStep {

    /** What one file becomes. */
    public sealed interface Outcome {
        /** Both crops, the study's derived key (absent without a StudyInstanceUID), and stage timings in ms. */
        record Prepared(HipCrop right, HipCrop left, Optional<String> studyKey, Map<String, Long> timingsMs)
                implements Outcome {
            public Prepared {
                Objects.requireNonNull(right, "right");
                Objects.requireNonNull(left, "left");
                Objects.requireNonNull(studyKey, "studyKey");
                timingsMs = Map.copyOf(timingsMs);
            }
        }

        record Rejected(Rejection rejection) implements Outcome {
            public Rejected {
                Objects.requireNonNull(rejection, "rejection");
            }
        }
    }

    private final RadiographDecoder decoder;
    private final HipLocator locator;
    private final GradingPipeline pipeline;
    private final Keys keys;

    /** Loads {@code localiser.onnx} from {@code modelDir}; the grader is not needed (nor loaded) here. */
    public CropStep(Path modelDir, Keys keys) {
        this(new RadiographDecoder(), CropContract.forModelDir(modelDir), new HipLocator(modelDir.resolve("localiser.onnx")),
                keys);
    }

    public CropStep(RadiographDecoder decoder, CropContract contract, HipLocator locator, Keys keys) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.locator = Objects.requireNonNull(locator, "locator");
        this.keys = Objects.requireNonNull(keys, "keys");
        // locateAndCrop uses the contract and the locator only; this pipeline never grades, so it has no grader.
        this.pipeline = new GradingPipeline(contract, locator, null);
    }

    public ModelRef localiser() {
        return new ModelRef(locator.info().name(), locator.info().version());
    }

    /** Reads at most the decoder's byte budget from {@code in}; a larger object is rejected as TOO_LARGE. */
    public Outcome run(InputStream in) throws IOException {
        long t0 = System.nanoTime();
        DecodeResult decoded = decoder.decode(in);
        return after(decoded, t0, "readDecode");
    }

    public Outcome run(byte[] dicom) {
        long t0 = System.nanoTime();
        return after(decoder.decode(dicom), t0, "decode");
    }

    private Outcome after(DecodeResult decoded, long t0, String decodeStage) {
        long t1 = System.nanoTime();
        return switch (decoded) {
            case DecodeResult.Rejected r -> new Outcome.Rejected(r.rejection());
            case DecodeResult.Decoded d -> crop(d.radiograph(), decodeStage, (t1 - t0) / 1_000_000);
        };
    }

    private Outcome crop(Radiograph r, String decodeStage, long decodeMs) {
        return switch (pipeline.locateAndCrop(r)) {
            case GradingPipeline.Cropped.Rejected rejected -> new Outcome.Rejected(rejected.rejection());
            case GradingPipeline.Cropped.Hips hips -> {
                Map<String, Long> ms = new LinkedHashMap<>();
                ms.put(decodeStage, decodeMs);
                ms.putAll(hips.timingsMs());
                Optional<String> study = r.studyInstanceUid().replace("\0", "").isBlank() ? Optional.empty()
                        : Optional.of(keys.studyKey(r.studyInstanceUid()));
                yield new Outcome.Prepared(hips.right(), hips.left(), study, ms);
            }
        };
    }
}
