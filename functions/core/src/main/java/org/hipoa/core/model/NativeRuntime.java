package org.hipoa.core.model;

import ai.djl.engine.Engine;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts ONNX Runtime (its native library and the one process-wide {@code OrtEnvironment}, created by DJL's
 * OnnxRuntime engine) once, on a thread whose stack this class chooses.
 *
 * <p>Why: creating the environment recurses deeply in native code; on a thread with the JVM's default 1 MB stack
 * (x86-64 Linux) it crashed the JVM with SIGSEGV and no hs_err file, depending on how deep the caller already was
 * (seen with {@code ./hipoa grade} on 200 files). The Lambda Java runtime (aws-lambda-java-runtime-interface-client
 * 2.10.1, {@code AWSLambda.main}) builds the handler and runs its loop on the JVM's main thread, or on
 * {@code Executors.newFixedThreadPool} threads when AWS_LAMBDA_MAX_CONCURRENCY is set; it sets no stack size, so
 * the handler gets the JVM default (-Xss, else 1 MB; the process's {@code ulimit -s} does not apply to the Java main
 * thread). Doing the deep part here makes every entry point independent of that default. Measured: environment
 * creation crashed on a 512 KB thread and passed on 1 MB; loading and running the models afterwards passes on
 * 512 KB (NativeRuntimeTest).
 */
public final class NativeRuntime {
    /** Stack of the start-up thread: 16× what environment creation was seen to need. */
    public static final long STACK_BYTES = 16L << 20;

    private static volatile boolean started;

    private NativeRuntime() {}

    /**
     * Creates the ONNX Runtime environment if this process has none yet; cheap after the first call. Thread-safe.
     *
     * @throws IllegalStateException when ONNX Runtime cannot start (native library missing or refused)
     */
    public static void ensureStarted() {
        if (started) return;
        synchronized (NativeRuntime.class) {
            if (started) return;
            // OnnxModels' static initialiser sets DJL's offline and no-tracking switches: they must be in place
            // before the engine is first touched.
            OnnxModels.defaultThreads();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread starter = Thread.ofPlatform().name("onnxruntime-start").stackSize(STACK_BYTES).unstarted(() -> {
                try {
                    // The engine creates the environment exactly as every later model load expects it (its
                    // name, logging level and global thread options); a second creation would be refused.
                    Engine.getEngine("OnnxRuntime");
                } catch (Throwable t) { // reported to the caller below
                    failure.set(t);
                }
            });
            starter.start();
            boolean interrupted = false;
            while (true) {
                try {
                    starter.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the start must finish either way: a half-made environment is no use
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            if (failure.get() != null) {
                throw new IllegalStateException("ONNX Runtime did not start: " + failure.get().getMessage(),
                        failure.get());
            }
            started = true;
        }
    }
}
