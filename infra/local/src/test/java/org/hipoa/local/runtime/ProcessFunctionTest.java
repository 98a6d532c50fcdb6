package org.hipoa.local.runtime;

import org.hipoa.local.LocalFunction;
import org.hipoa.local.ProcessFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lambda's rules for a function's execution environments, with each environment a runtime-client process: no more
 * environments than the concurrency, one event at a time in each, a timed-out or crashed one replaced by a new one
 * (a cold start) for the next event.
 */
@Timeout(180)
class ProcessFunctionTest {
    @TempDir
    static Path dir;
    private static TaskRoot root;

    @BeforeAll
    static void packageFixtures() throws Exception {
        root = TaskRoot.unzip(FixturePackage.zip(dir, Set.of("Missing")), dir.resolve("tasks"));
    }

    private static ProcessFunction<Object, String> pool(String handler, int memoryMb, Duration timeout, int n) {
        FunctionDefinition fn = FixturePackage.function(handler, memoryMb, timeout, Map.of());
        return new ProcessFunction<Object, String>(fn, root, n, dir.resolve("logs"), json -> json)
                .configure(fn.environment(Map.of()), FixturePackage.IDENTITY, LambdaProcess.Agent.NONE);
    }

    @Test
    void fourEventsAtOnce_twoEnvironments_eachOneEventAtATime() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (ProcessFunction<Object, String> f = pool("Sleep", 256, Duration.ofSeconds(20), 2)) {
            long t0 = System.nanoTime();
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) answers.add(callers.submit(() -> f.invoke("{\"ms\": 1500}")));
            for (Future<String> a : answers) assertEquals("\"slept\"", a.get());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(2, f.environmentsCreated(), "no more environments than the concurrency");
            assertEquals(2, f.coldStarts().size());
            assertEquals(2, f.warmInvocations().getCount(), "the other two events waited for a warm environment");
            assertTrue(ms >= 3000, "two rounds of 1.5 s, one event at a time per environment: " + ms + " ms");
            assertEquals(0, f.errors());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void timedOutEnvironment_isDiscarded_theNextEventGetsANewOne() {
        try (ProcessFunction<Object, String> f = pool("Sleep", 256, Duration.ofSeconds(2), 1)) {
            assertEquals("\"slept\"", f.invoke("{\"ms\": 10}"));
            LocalFunction.FunctionError e = assertThrows(LocalFunction.FunctionError.class,
                    () -> f.invoke("{\"ms\": 60000}"));
            assertTrue(e.timedOut(), e.getMessage());
            assertTrue(e.getMessage().contains("Task timed out after 2.00 seconds"), e.getMessage());
            assertEquals(0, f.environmentsAlive(), "Lambda stops a timed-out environment");
            assertEquals("\"slept\"", f.invoke("{\"ms\": 10}"));
            assertEquals(2, f.environmentsCreated(), "a new environment for the next event");
            assertEquals(1, f.timeouts());
            assertEquals(1, f.errors());
            assertEquals(2, f.coldStarts().size());
        }
    }

    @Test
    void crashedEnvironment_isDiscarded_theNextEventGetsANewOne() {
        // 1024 MB: the heap (85 %) fills before the process's resident memory reaches the limit.
        try (ProcessFunction<Object, String> f = pool("MemoryHog", 1024, Duration.ofSeconds(60), 1)) {
            LocalFunction.FunctionError e = assertThrows(LocalFunction.FunctionError.class,
                    () -> f.invoke("{\"heapMb\": 2000}"));
            assertTrue(e.getMessage().contains("java.lang.OutOfMemoryError"), e.getMessage());
            assertEquals(1, f.crashes(), "the runtime client exits after an Error");
            assertEquals(0, f.environmentsAlive());
            assertEquals("\"kept 1 MB on and 0 MB off the heap\"", f.invoke("{\"heapMb\": 1}"));
            assertEquals(2, f.environmentsCreated());
            assertEquals(0, f.timeouts());
        }
    }
}
