package org.hipoa.core.model;

import org.hipoa.core.Rejection;
import org.hipoa.core.Side;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.crop.HipCrop;
import org.hipoa.core.crop.HipCropper;
import org.hipoa.core.crop.LocaliserInput;
import org.hipoa.core.dicom.Radiograph;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Radiograph → located hips → crops → grades, with the QA gates in between. Built once per container (it owns
 * both models); {@link #grade} is thread-safe. The preprocess and inference functions use the two halves
 * ({@link #locateAndCrop}, {@link HipGrader#grade}) on either side of the queue.
 */
public final class GradingPipeline implements AutoCloseable {

    /** The two crops of a study, or why there are none, with stage timings. */
    public sealed interface Cropped {
        record Hips(HipCrop right, HipCrop left, Map<String, Long> timingsMs) implements Cropped {}

        record Rejected(Rejection rejection) implements Cropped {}
    }

    private final CropContract contract;
    private final HipLocator locator;
    private final HipGrader grader;

    public GradingPipeline(Path modelDir) {
        this(CropContract.forModelDir(modelDir), new HipLocator(modelDir.resolve("localiser.onnx")),
                new HipGrader(modelDir.resolve("grader.onnx")));
    }

    /** {@code grader} may be null for a pipeline that only locates and crops (the preprocess function). */
    public GradingPipeline(CropContract contract, HipLocator locator, HipGrader grader) {
        // A grader fed crops of another size would still run (dynamic axes) and grade nonsense: refuse at load.
        // The export writes inputSize as a JSON pair, e.g. "[224, 224]".
        String size = grader == null ? "" : grader.info().properties().getOrDefault("inputSize", "");
        String inputPx = size.replaceAll("^\\[\\s*(\\d+).*$", "$1");
        if (inputPx.matches("\\d+") && Integer.parseInt(inputPx) != contract.graderOutputPx()) {
            throw new IllegalStateException("grader " + grader.info().name() + " expects " + inputPx
                    + " px crops but the crop contract makes " + contract.graderOutputPx()
                    + " px: keep each grader in a folder with its own crop-contract.json");
        }
        this.contract = contract;
        this.locator = locator;
        this.grader = grader;
    }

    public Cropped locateAndCrop(Radiograph r) {
        Optional<Rejection> attributes = HipQa.checkAttributes(r);
        if (attributes.isPresent()) return new Cropped.Rejected(attributes.get());
        Map<String, Long> ms = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        LocaliserInput input = LocaliserInput.of(r, contract);
        long t1 = System.nanoTime();
        HipLocator.Located heads = locator.locate(input);
        long t2 = System.nanoTime();
        Optional<Rejection> placement = HipQa.checkHeads(heads, r);
        if (placement.isPresent()) return new Cropped.Rejected(placement.get());
        HipCropper cropper = new HipCropper(contract);
        HipCrop right = cropper.crop(r, Side.RIGHT, heads.rightXmm(), heads.rightYmm());
        HipCrop left = cropper.crop(r, Side.LEFT, heads.leftXmm(), heads.leftYmm());
        long t3 = System.nanoTime();
        ms.put("localiserInput", (t1 - t0) / 1_000_000);
        ms.put("localise", (t2 - t1) / 1_000_000);
        ms.put("crop", (t3 - t2) / 1_000_000);
        return new Cropped.Hips(right, left, ms);
    }

    public GradingOutcome grade(Radiograph r) {
        return switch (locateAndCrop(r)) {
            case Cropped.Rejected rejected -> new GradingOutcome.Rejected(rejected.rejection());
            case Cropped.Hips hips -> {
                long t0 = System.nanoTime();
                List<HipGrades> graded = grader.grade(List.of(hips.right(), hips.left()));
                Map<String, Long> ms = new LinkedHashMap<>(hips.timingsMs());
                ms.put("grade", (System.nanoTime() - t0) / 1_000_000);
                yield new GradingOutcome.Graded(new StudyGrades(graded.get(0), graded.get(1), grader.info(),
                        locator.info(), ms));
            }
        };
    }

    public HipGrader grader() {
        return grader;
    }

    @Override
    public void close() {
        locator.close();
        if (grader != null) grader.close();
    }
}
