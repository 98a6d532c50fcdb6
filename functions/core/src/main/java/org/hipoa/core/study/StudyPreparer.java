package org.hipoa.core.study;

import org.hipoa.core.crop.CropContract;
import org.hipoa.core.crop.HipCropper;
import org.hipoa.core.crop.LocaliserInput;
import org.hipoa.dicom.Radiograph;
import org.hipoa.dicom.RadiographDecoder;
import org.hipoa.core.model.HipLocator;
import org.hipoa.core.model.HipQa;
import org.hipoa.core.model.ModelInfo;
import org.hipoa.core.model.NativeRuntime;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.Rejection;
import org.hipoa.domain.Side;
import org.hipoa.domain.Timings;
import org.hipoa.domain.result.Spacing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one preparation step, DICOM bytes → decoded radiograph → QA of its attributes → located hips → QA of the
 * placement → two crops, used by both the preprocess function and {@code ./hipoa grade}/{@code eval}, so the
 * command line prepares exactly as the pipeline does. Built once per container (it owns the localiser);
 * thread-safe.
 */
public final class StudyPreparer implements AutoCloseable {
    private final RadiographDecoder decoder;
    private final CropContract contract;
    private final HipLocator locator;
    private final HipCropper cropper;

    /** Loads {@code localiser.onnx} and the crop contract from {@code modelDir}. */
    public StudyPreparer(Path modelDir) {
        this(new RadiographDecoder(), CropContract.forModelDir(modelDir), locator(modelDir));
    }

    /** ONNX Runtime first, on a thread of its own stack (NativeRuntime says why), then the model. */
    private static HipLocator locator(Path modelDir) {
        NativeRuntime.ensureStarted();
        return new HipLocator(modelDir.resolve("localiser.onnx"));
    }

    public StudyPreparer(RadiographDecoder decoder, CropContract contract, HipLocator locator) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.contract = Objects.requireNonNull(contract, "contract");
        this.locator = Objects.requireNonNull(locator, "locator");
        this.cropper = new HipCropper(contract);
    }

    public ModelInfo localiser() {
        return locator.info();
    }

    public CropContract contract() {
        return contract;
    }

    /** TOO_LARGE for a file of {@code size} bytes over the decoder's budget, known before reading it; else empty. */
    public Optional<Rejection> checkSize(long size) {
        return decoder.checkSize(size);
    }

    /** Reads at most the decoder's byte budget from {@code in}; a larger object is rejected as TOO_LARGE. */
    public Outcome<PreparedStudy> prepare(InputStream in) throws IOException {
        return prepare(in, -1);
    }

    /** As {@link #prepare(InputStream)}, the stream's stated length (negative: unknown) sizing its one array. */
    public Outcome<PreparedStudy> prepare(InputStream in, long expectedBytes) throws IOException {
        long t0 = System.nanoTime();
        Outcome<Radiograph> decoded = decoder.decode(in, expectedBytes);
        return decoded.then(r -> prepare(r, Timings.READ_DECODE, Timings.msSince(t0)));
    }

    /** A local file's bytes within the decoder's budget, or TOO_LARGE with the file's size ({@link RadiographDecoder#read}). */
    public Outcome<byte[]> read(Path file) throws IOException {
        return decoder.read(file);
    }

    public Outcome<PreparedStudy> prepare(byte[] dicom) {
        long t0 = System.nanoTime();
        Outcome<Radiograph> decoded = decoder.decode(dicom);
        return decoded.then(r -> prepare(r, Timings.DECODE, Timings.msSince(t0)));
    }

    /** From a radiograph already decoded. */
    public Outcome<PreparedStudy> prepare(Radiograph r) {
        return prepare(r, null, 0);
    }

    private Outcome<PreparedStudy> prepare(Radiograph r, String decodeStage, long decodeMs) {
        Optional<Rejection> attributes = HipQa.checkAttributes(r, contract);
        if (attributes.isPresent()) return Outcome.rejected(attributes.get());
        Map<String, Long> ms = new LinkedHashMap<>();
        if (decodeStage != null) ms.put(decodeStage, decodeMs);
        long t0 = System.nanoTime();
        LocaliserInput input = LocaliserInput.of(r, contract);
        ms.put(Timings.LOCALISER_INPUT, Timings.msSince(t0));
        long t1 = System.nanoTime();
        HipLocator.Located heads = locator.locate(input);
        ms.put(Timings.LOCALISE, Timings.msSince(t1));
        Optional<Rejection> placement = HipQa.checkHeads(heads, r);
        if (placement.isPresent()) return Outcome.rejected(placement.get());
        long t2 = System.nanoTime();
        HipCrop right = cropper.crop(r, Side.RIGHT, heads.rightXmm(), heads.rightYmm());
        HipCrop left = cropper.crop(r, Side.LEFT, heads.leftXmm(), heads.leftYmm());
        ms.put(Timings.CROP, Timings.msSince(t2));
        String uid = r.studyInstanceUid().replace("\0", "").strip();
        Spacing spacing = new Spacing(r.spacing().source().name(), r.spacing().isAssumption());
        return Outcome.ok(new PreparedStudy(right, left, uid.isEmpty() ? Optional.empty() : Optional.of(uid), spacing,
                ms));
    }

    @Override
    public void close() {
        locator.close();
    }
}
