package org.hipoa.core.study;

import org.hipoa.core.crop.CropContract;
import org.hipoa.core.model.HipGrader;
import org.hipoa.core.model.HipPrediction;
import org.hipoa.core.model.ModelInfo;
import org.hipoa.core.model.NativeRuntime;
import org.hipoa.domain.HipCrop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one grading step: the crops of one or more studies → their grades, in ONE grader call (the inference
 * function batches every hip of an SQS batch; {@code ./hipoa grade} passes one study). Refuses at load a grader
 * whose input size differs from its folder's crop contract. Thread-safe.
 */
public final class StudyGrader implements AutoCloseable {

    /** The two crops of one study, right then left. */
    public record Hips(HipCrop right, HipCrop left) {
        public Hips {
            Objects.requireNonNull(right, "right");
            Objects.requireNonNull(left, "left");
        }

        public static Hips of(PreparedStudy p) {
            return new Hips(p.right(), p.left());
        }
    }

    private final HipGrader grader;

    /** Loads {@code grader.onnx} and checks it against {@code crop-contract.json} in {@code modelDir}. */
    public StudyGrader(Path modelDir) {
        this(CropContract.forModelDir(modelDir), grader(modelDir));
    }

    /** ONNX Runtime first, on a thread of its own stack (NativeRuntime says why), then the model. */
    private static HipGrader grader(Path modelDir) {
        NativeRuntime.ensureStarted();
        return new HipGrader(modelDir.resolve("grader.onnx"));
    }

    public StudyGrader(CropContract contract, HipGrader grader) {
        this.grader = Objects.requireNonNull(grader, "grader");
        // A grader fed crops of another size would still run (dynamic axes) and grade nonsense: refuse at load.
        // The export writes inputSize as a JSON pair, e.g. "[224, 224]".
        String size = grader.info().properties().getOrDefault("inputSize", "");
        String inputPx = size.replaceAll("^\\[\\s*(\\d+).*$", "$1");
        if (inputPx.matches("\\d+") && Integer.parseInt(inputPx) != contract.graderOutputPx()) {
            throw new IllegalStateException("grader " + grader.info().name() + " expects " + inputPx
                    + " px crops but the crop contract makes " + contract.graderOutputPx()
                    + " px: keep each grader in a folder with its own crop-contract.json");
        }
    }

    /** Whether the grader's probabilities are temperature-calibrated (model metadata {@code temperature}). */
    public boolean calibrated() {
        return grader.calibration().calibrated();
    }

    /** Whether the grader can refuse a hip (has the gradability and OOD outputs). */
    public boolean refusesHips() {
        return grader.gradability().present();
    }

    public ModelInfo info() {
        return grader.info();
    }

    public StudyGrades grade(Hips study) {
        return grade(List.of(study)).getFirst();
    }

    /** Every hip of every study in one model call; the grades come back in the order given. */
    public List<StudyGrades> grade(List<Hips> studies) {
        List<HipCrop> crops = new ArrayList<>(2 * studies.size());
        for (Hips s : studies) {
            crops.add(s.right());
            crops.add(s.left());
        }
        List<HipPrediction> graded = grader.grade(crops);
        List<StudyGrades> out = new ArrayList<>(studies.size());
        for (int i = 0; i < studies.size(); i++) out.add(new StudyGrades(graded.get(2 * i), graded.get(2 * i + 1)));
        return out;
    }

    @Override
    public void close() {
        grader.close();
    }
}
