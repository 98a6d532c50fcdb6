package org.hipoa.core.crop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The crop contract ({@code model/crop-contract.json}): the one description of how a radiograph becomes model input,
 * shared with the Python training code so that what a model learnt on is exactly what it is given.
 */
public record CropContract(int version, double graderCropMm, int graderOutputPx, boolean mirrorLeft,
                           double localiserMmPerPx, int localiserWidthPx, int localiserHeightPx,
                           double lowQuantile, double highQuantile, double centre, double scale) {

    public CropContract {
        if (graderCropMm <= 0 || graderOutputPx < 8 || localiserMmPerPx <= 0 || localiserWidthPx < 8
                || localiserHeightPx < 8 || !(lowQuantile >= 0 && lowQuantile < highQuantile && highQuantile <= 1)
                || scale <= 0) {
            throw new IllegalArgumentException("implausible crop contract");
        }
    }

    /** The contract bundled on the classpath (copied from model/ at build time). */
    public static CropContract bundled() {
        try (InputStream in = CropContract.class.getResourceAsStream("/model/crop-contract.json")) {
            if (in == null) throw new IllegalStateException("model/crop-contract.json is not on the classpath");
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same field of view, sampling and normalisation at another output size: graders differ in input size
     * (the CPU DenseNet-121 at 160 px, the paper's DenseNet-161 at 224 px) but must see the same 96 mm of anatomy.
     */
    public CropContract withGraderOutputPx(int px) {
        return new CropContract(version, graderCropMm, px, mirrorLeft, localiserMmPerPx, localiserWidthPx,
                localiserHeightPx, lowQuantile, highQuantile, centre, scale);
    }

    /** A model folder's own contract ({@code DIR/crop-contract.json}) where it has one, else the bundled one. */
    public static CropContract forModelDir(Path dir) {
        Path own = dir.resolve("crop-contract.json");
        try {
            return Files.isRegularFile(own) ? read(own) : bundled();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CropContract read(Path file) throws IOException {
        return parse(new ObjectMapper().readTree(Files.readAllBytes(file)));
    }

    private static CropContract parse(JsonNode n) {
        JsonNode g = n.required("grader"), l = n.required("localiser"), z = n.required("normalisation");
        String mirror = g.required("mirrorSide").asText();
        if (!mirror.equals("left") && !mirror.equals("none")) throw new IllegalArgumentException("mirrorSide " + mirror);
        return new CropContract(n.required("version").asInt(), g.required("cropMm").asDouble(),
                g.required("outputPx").asInt(), mirror.equals("left"), l.required("mmPerPx").asDouble(),
                l.required("widthPx").asInt(), l.required("heightPx").asInt(), z.required("lowQuantile").asDouble(),
                z.required("highQuantile").asDouble(), z.required("centre").asDouble(), z.required("scale").asDouble());
    }
}
