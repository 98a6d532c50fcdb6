package org.hipoa.preprocess;

import org.crac.Context;
import org.crac.Resource;
import org.hipoa.core.study.PreparedStudy;
import org.hipoa.core.study.StudyPreparer;
import org.hipoa.domain.Outcome;
import org.hipoa.domain.wire.CropNpy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * SnapStart priming: before Lambda snapshots an initialised PreprocessFunction version, one synthetic phantom film
 * the package carries ({@link #FILM}, never a patient image) goes through the same preparation an S3 event gets:
 * stream decode, QA, localiser input, an ONNX Runtime call on the localiser session, both crops, and the crops' .npy
 * encoding. The classes that path loads, the code the JIT compiles and ONNX Runtime's first-call work (arena growth,
 * kernel selection) then sit in the snapshot instead of in the first real event after a restore. Nothing here touches
 * S3, SQS or DynamoDB, logs, or writes a file.
 *
 * <p>Registered through {@code org.crac}, whose global context hands the resource to the JVM's CRaC implementation
 * where one exists (Lambda's SnapStart Java runtimes provide one) and does nothing on any other JVM, so the handler
 * runs unchanged everywhere else (tests, the local stack, the CLI).
 *
 * <p>What a restore must not break, for this function: SnapStart restores the whole Firecracker microVM (memory,
 * threads, /tmp), so the ONNX Runtime environment, the localiser session and its intra-op threads come back as they
 * were; no socket is open at the snapshot (the SDK clients are built at init but connect on first use, after the
 * restore, with credentials Lambda supplies then); the preparation draws no random numbers (upload ids and study keys
 * are HMACs of the object and the configured secret, not of a per-process seed), so {@link #afterRestore} has nothing
 * to re-seed; ONNX Runtime unpacked its native library into /tmp at init, which the snapshot keeps. The one risk left
 * is that ONNX Runtime chose its CPU kernels (AVX2, AVX-512, ...) by the instruction set of the host that took the
 * snapshot; Lambda restores on the same architecture (x86_64 here), but that the restoring host offers the same
 * extensions is AWS's promise, not something this code can check. No JDK with CRaC support exists on the
 * development machine, so the checkpoint/restore itself is not exercised by the tests (README, Benchmarks).
 */
final class SnapStartPriming implements Resource {
    /**
     * The film priming prepares, a resource beside this class: a phantom film averaged to about 1 mm pixels (about
     * 200 KB), made once by the test sources' {@code PrimingFilmMaker}, so the package carries no phantom generator.
     */
    static final String FILM = "priming-film.dcm";

    private final StudyPreparer preparer;

    SnapStartPriming(StudyPreparer preparer) {
        this.preparer = Objects.requireNonNull(preparer, "preparer");
    }

    /**
     * Fails the checkpoint (so the version is not published with a cold snapshot, or with a preparer that cannot
     * prepare a phantom film) when the film is not prepared.
     */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    /** Nothing to do: see the class comment (no seed, no connection, no temporary file made by priming). */
    @Override
    public void afterRestore(Context<? extends Resource> context) {}

    /** One phantom film through the event's preparation path; returns the prepared study, or throws. */
    PreparedStudy prime() {
        Outcome<PreparedStudy> outcome;
        try (InputStream in = SnapStartPriming.class.getResourceAsStream(FILM)) {
            if (in == null) throw new IllegalStateException("SnapStart priming: " + FILM + " is not in the package");
            outcome = preparer.prepare(in); // the stream path, as an S3 object is read
        } catch (IOException e) {
            throw new IllegalStateException("SnapStart priming could not read its phantom film", e);
        }
        if (!(outcome instanceof Outcome.Ok<PreparedStudy> ok)) {
            throw new IllegalStateException("SnapStart priming: the phantom film was not prepared: " + outcome);
        }
        CropNpy.encode(ok.value().right(), ok.value().left()); // what CropStore.put encodes, minus the upload
        return ok.value();
    }
}
