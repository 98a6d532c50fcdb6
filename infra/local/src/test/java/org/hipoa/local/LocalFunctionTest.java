package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lambda's execution-environment rules, as the local function applies them. */
class LocalFunctionTest {
    private static final String EVENT = "{\"Records\":[]}";

    @Test
    void anInvocationPastItsTimeoutIsStoppedReportedAndItsEnvironmentReplaced() throws Exception {
        AtomicInteger built = new AtomicInteger();
        AtomicBoolean hang = new AtomicBoolean(true);
        AtomicReference<Throwable> zombie = new AtomicReference<>();
        CountDownLatch zombieDone = new CountDownLatch(1);
        try (LocalFunction<S3Event, String> f = new LocalFunction<>("Fn", "us-east-1", S3Event.class, () -> {
            built.incrementAndGet();
            return (RequestHandler<S3Event, String>) (e, ctx) -> {
                if (hang.get()) {
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException ignored) {
                        // Lambda would have frozen the runtime; here the thread goes on until it asks
                    }
                    try {
                        LocalFunction.Invocation.current().orElseThrow().checkAlive();
                    } catch (Throwable t) {
                        zombie.set(t);
                    }
                    zombieDone.countDown();
                }
                return "ok " + ctx.getRemainingTimeInMillis();
            };
        }, 1, Duration.ofMillis(300))) {
            long t0 = System.nanoTime();
            LocalFunction.FunctionError e = assertThrows(LocalFunction.FunctionError.class, () -> f.invoke(EVENT));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.timedOut(), e.getMessage());
            assertTrue(e.getMessage().contains("Task timed out after 0.3 seconds"), e.getMessage());
            assertTrue(ms >= 300 && ms < 5000, "stopped at its timeout, not when it finished: " + ms + " ms");
            assertTrue(zombieDone.await(5, TimeUnit.SECONDS));
            assertTrue(zombie.get() instanceof LocalFunction.EnvironmentKilled,
                    "the stopped invocation may make no further calls: " + zombie.get());

            hang.set(false);
            assertTrue(f.invoke(EVENT).startsWith("ok"));
            assertEquals(2, built.get(), "the next event got a fresh environment (a cold start)");
            assertEquals(1, f.timeouts());
            assertEquals(2, f.environmentsCreated());
        }
    }

    @Test
    void anErrorReplacesTheEnvironment_anExceptionKeepsIt() {
        AtomicInteger built = new AtomicInteger();
        AtomicReference<String> mode = new AtomicReference<>("exception");
        try (LocalFunction<S3Event, String> f = new LocalFunction<>("Fn", "us-east-1", S3Event.class, () -> {
            built.incrementAndGet();
            return (RequestHandler<S3Event, String>) (e, ctx) -> switch (mode.get()) {
                case "exception" -> throw new IllegalStateException("handled by the runtime");
                case "error" -> throw new OutOfMemoryError("runtime died");
                default -> "ok";
            };
        }, 1, Duration.ofSeconds(5))) {
            assertThrows(LocalFunction.FunctionError.class, () -> f.invoke(EVENT));
            mode.set("ok");
            f.invoke(EVENT);
            assertEquals(1, built.get(), "an exception keeps the environment, as the Java runtime does");
            mode.set("error");
            LocalFunction.FunctionError e = assertThrows(LocalFunction.FunctionError.class, () -> f.invoke(EVENT));
            assertFalse(e.timedOut());
            mode.set("ok");
            f.invoke(EVENT);
            assertEquals(2, built.get(), "an Error (a dead runtime) costs a cold start");
            assertEquals(1, f.crashes());
        }
    }

    @Test
    void theHandlerThreadHasTheStackLambdasRuntimeGives_theJvmDefault() throws Exception {
        // Lambda's Java runtime calls the handler on the JVM's main thread, whose stack the launcher sizes from -Xss
        // (1 MB on x86-64 Linux): a handler must not get a bigger one here, or a deep recursion passes locally only.
        AtomicLong inHandler = new AtomicLong();
        try (LocalFunction<S3Event, String> f = new LocalFunction<>("Fn", "us-east-1", S3Event.class,
                () -> (RequestHandler<S3Event, String>) (e, ctx) -> {
                    inHandler.set(depth());
                    return "";
                }, 1, Duration.ofSeconds(30))) {
            f.invoke(EVENT);
        }
        // Frame sizes differ between interpreted and compiled code (~3x), so compare with a 16 MB stack: the 8 MB
        // this stack used to give would come within a factor 2 of it.
        AtomicLong inBigThread = new AtomicLong();
        Thread big = Thread.ofPlatform().stackSize(16L << 20).unstarted(() -> inBigThread.set(depth()));
        big.start();
        big.join();
        assertTrue(inHandler.get() * 5 < inBigThread.get(), "the handler's stack is the JVM default (1 MB), not "
                + "a big one: " + inHandler.get() + " frames vs " + inBigThread.get() + " in 16 MB");
    }

    /** Frames until the stack overflows, after warming up so both threads run the same compiled code. */
    private static long depth() {
        long best = 0;
        for (int i = 0; i < 5; i++) best = Math.max(best, recursionDepth(0));
        return best;
    }

    private static long recursionDepth(long n) {
        try {
            return recursionDepth(n + 1);
        } catch (StackOverflowError e) {
            return n;
        }
    }
}
