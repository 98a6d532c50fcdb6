package org.hipoa.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.local.runtime.InvokeResult.Failure;
import org.hipoa.local.runtime.InvokeResult.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lambda's limits on one execution environment, enforced on a real runtime process (the Java runtime interface
 * client, test handlers in a zip): what each limit does to an invocation and to the environment, in the words
 * Lambda's Invoke uses.
 */
@Timeout(180)
class LambdaProcessLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static TaskRoot root;

    @BeforeAll
    static void packageFixtures() throws Exception {
        root = TaskRoot.unzip(FixturePackage.zip(dir, Set.of("Missing")), dir.resolve("tasks"));
    }

    private static LambdaProcess start(String handler, int memoryMb, Duration timeout, Map<String, String> vars) {
        FunctionDefinition fn = FixturePackage.function(handler, memoryMb, timeout, vars);
        return LambdaProcess.start(fn, root, fn.environment(Map.of()), FixturePackage.IDENTITY, dir.resolve("logs"));
    }

    /** A size flag as asked, up to the JVM's rounding up to its alignment (2 MB for the heap). */
    private static void assertFlag(long asked, JsonNode effective, String what) {
        long v = Long.parseLong(effective.asText());
        assertTrue(v >= asked && v - asked < 2 * 1024 * 1024, what + ": asked " + asked + ", got " + v);
    }

    private static Failure failure(InvokeResult r, LambdaProcess p) {
        return assertInstanceOf(Failure.class, r, () -> "expected a failure, got " + r + "\n" + p.log());
    }

    @Test
    void environment_isLambdasFlagsVariablesAndContext() throws Exception {
        try (LambdaProcess p = start("Describe", 512, Duration.ofSeconds(5),
                Map.of("JAVA_TOOL_OPTIONS", "-Xss4m -XX:TieredStopAtLevel=4", "FIXTURE", "from-template",
                        "MODEL_DIR", "/var/task/model"))) {
            String out = p.invoke("{\"env\": [\"FIXTURE\", \"TZ\", \"_HANDLER\", \"AWS_LAMBDA_FUNCTION_MEMORY_SIZE\","
                    + " \"LAMBDA_TASK_ROOT\", \"JAVA_TOOL_OPTIONS\", \"HOME\", \"MAVEN_HOME\", \"AWS_REGION\","
                    + " \"MODEL_DIR\"]}")
                    .payloadOrThrow();
            JsonNode d = JSON.readTree(out);
            assertFlag(445_645L * 1024, d.get("MaxHeapSize"), "85 % of 512 MB");
            assertFlag(52_428L * 1024, d.get("MaxMetaspaceSize"), "10 % of 512 MB");
            assertEquals("true", d.get("UseSerialGC").asText());
            // The runtime's level 1 goes first in JAVA_TOOL_OPTIONS, so the template's level 4 wins.
            assertEquals("4", d.get("TieredStopAtLevel").asText());
            JsonNode env = d.get("env");
            assertEquals("from-template", env.get("FIXTURE").asText());
            assertEquals(":UTC", env.get("TZ").asText());
            assertEquals("org.hipoa.local.runtime.fixture.Describe::handleRequest", env.get("_HANDLER").asText());
            assertEquals("512", env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").asText());
            assertEquals("eu-central-1", env.get("AWS_REGION").asText());
            assertEquals(root.dir().toString(), env.get("LAMBDA_TASK_ROOT").asText());
            assertEquals(root.dir().toString(), d.get("userDir").asText(), "the client's task root is its folder");
            assertEquals(root.dir().resolve("model").toString(), env.get("MODEL_DIR").asText(), "/var/task moved");
            assertEquals("-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -Xss4m -XX:TieredStopAtLevel=4",
                    env.get("JAVA_TOOL_OPTIONS").asText());
            // Unset variables come back null or not at all; the host's HOME and MAVEN_HOME must not reach it.
            assertTrue(env.path("HOME").isNull() || env.path("HOME").isMissingNode(), "HOME: " + env);
            assertTrue(env.path("MAVEN_HOME").isNull() || env.path("MAVEN_HOME").isMissingNode(), "env: " + env);
            assertEquals(512, d.get("memoryLimitInMB").asInt());
            int remaining = d.get("remainingTimeInMillis").asInt();
            assertTrue(remaining > 3_000 && remaining <= 5_000, "deadline from the function's Timeout: " + remaining);
            assertEquals("arn:aws:lambda:eu-central-1:123456789012:function:FixtureDescribe",
                    d.get("functionArn").asText());
        }
    }

    @Test
    void invocationPastItsTimeout_timesOutAndTheEnvironmentIsKilled() {
        try (LambdaProcess p = start("Sleep", 256, Duration.ofSeconds(2), Map.of())) {
            assertEquals("\"slept\"", p.invoke("{\"ms\": 10}").payloadOrThrow(), p::log);
            long t0 = System.nanoTime();
            Failure f = failure(p.invoke("{\"ms\": 60000}"), p);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(Kind.TIMEOUT, f.kind());
            assertEquals("Sandbox.Timedout", f.errorType());
            assertTrue(f.errorMessage().endsWith("Task timed out after 2.00 seconds"), f.errorMessage());
            assertTrue(ms >= 2_000 && ms < 8_000, "stopped at the timeout, not at the handler's end: " + ms + " ms");
            assertFalse(p.isAlive(), "Lambda discards a timed-out environment");
            assertFalse(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false), "the process is gone");
            assertThrows(IllegalStateException.class, () -> p.invoke("{\"ms\": 10}"));
        }
    }

    @Test
    void heapExhausted_isAnOutOfMemoryErrorAndEndsTheEnvironment() {
        // 1024 MB: the heap (85 %) fills before the process's resident memory reaches the limit.
        try (LambdaProcess p = start("MemoryHog", 1024, Duration.ofSeconds(60), Map.of())) {
            Failure f = failure(p.invoke("{\"heapMb\": 2000}"), p);
            assertEquals(Kind.FUNCTION_ERROR, f.kind());
            assertEquals("java.lang.OutOfMemoryError", f.errorType());
            assertEquals("Java heap space", f.errorMessage());
            assertEquals("Runtime.UserException", f.runtimeErrorType());
            assertFalse(p.isAlive(), "the runtime client exits after a VirtualMachineError");
        }
    }

    @Test
    void memoryOverTheFunctionsLimit_isKilledAsLambdaKillsIt() {
        try (LambdaProcess p = start("MemoryHog", 256, Duration.ofSeconds(60), Map.of())) {
            // Within both the heap (217 MB) and the direct-memory limit (the same) each time, but together with the
            // JVM itself over 256 MB: only the environment's limit can stop it.
            p.invoke("{\"heapMb\": 120}").payloadOrThrow();
            Failure f = failure(p.invoke("{\"offHeapMb\": 200}"), p);
            assertEquals(Kind.OUT_OF_MEMORY, f.kind());
            assertEquals("Runtime.OutOfMemory", f.errorType());
            assertTrue(f.errorMessage().endsWith("Error: Runtime exited with error: signal: killed"), f.errorMessage());
            assertFalse(p.isAlive());
            assertTrue(p.maxMemoryUsedMb() > 256, "max memory used " + p.maxMemoryUsedMb() + " MB");
        }
    }

    @Test
    void staticInitialiserThatThrows_isAnInitErrorForEveryEvent() {
        try (LambdaProcess p = start("BrokenInit", 256, Duration.ofSeconds(5), Map.of())) {
            Failure f = failure(p.invoke("{}"), p);
            assertEquals(Kind.INIT_ERROR, f.kind());
            assertEquals("java.lang.ExceptionInInitializerError", f.errorType());
            assertEquals("Error loading class org.hipoa.local.runtime.fixture.BrokenInit", f.errorMessage());
            assertEquals("Runtime.BadFunctionCode", f.runtimeErrorType());
            assertFalse(p.isAlive(), "the client exits after reporting an init error");
            assertEquals(f, p.invoke("{}"), "an environment that cannot init answers every event so");
        }
    }

    @Test
    void classMissingFromThePackage_failsWithNoClassDefFoundError() throws Exception {
        assertFalse(FixturePackage.classNames(dir.resolve("fixtures.zip")).stream().anyMatch(n -> n.endsWith("/Missing.class")),
                "the test package must lack the class");
        try (LambdaProcess p = start("NeedsMissing", 256, Duration.ofSeconds(5), Map.of())) {
            Failure f = failure(p.invoke("{}"), p);
            assertEquals(Kind.FUNCTION_ERROR, f.kind());
            assertEquals("java.lang.NoClassDefFoundError", f.errorType());
            assertEquals("Error loading class org.hipoa.local.runtime.fixture.NeedsMissing: "
                    + "org/hipoa/local/runtime/fixture/Missing", f.errorMessage());
            assertEquals("Runtime.BadFunctionCode", f.runtimeErrorType());
            assertFalse(p.isAlive(), "the client treats a class that cannot load as fatal and exits");
        }
    }

    @Test
    void handlerNamingNoClass_isClassNotFoundOnEachEvent() {
        try (LambdaProcess p = start("NoSuchHandler", 256, Duration.ofSeconds(5), Map.of())) {
            Failure f = failure(p.invoke("{}"), p);
            assertEquals(Kind.FUNCTION_ERROR, f.kind());
            assertEquals("java.lang.ClassNotFoundException", f.errorType());
            assertEquals("Class not found: org.hipoa.local.runtime.fixture.NoSuchHandler", f.errorMessage());
            assertEquals("Runtime.BadFunctionCode", f.runtimeErrorType());
            assertTrue(p.isAlive(), "the client keeps the environment and answers every event so");
            assertEquals(f.errorMessage(), failure(p.invoke("{}"), p).errorMessage());
        }
    }

    @Test
    void responseOverSixMegabytes_failsAndTheEnvironmentLivesOn() {
        try (LambdaProcess p = start("Describe", 512, Duration.ofSeconds(10), Map.of())) {
            Failure f = failure(p.invoke("{\"bytes\": 6300000}"), p);
            assertEquals(Kind.RESPONSE_TOO_LARGE, f.kind());
            assertEquals("Function.ResponseSizeTooLarge", f.errorType());
            assertTrue(p.isAlive(), p::log);
            assertTrue(p.invoke("{\"bytes\": 6000000}").payloadOrThrow().length() > 6_000_000, "just under passes");
        }
    }

    @Test
    void close_leavesNoProcess() {
        LambdaProcess p = start("Sleep", 256, Duration.ofSeconds(5), Map.of());
        p.invoke("{\"ms\": 1}").payloadOrThrow();
        long pid = p.pid();
        p.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    /**
     * The stack's JVM killed outright (no shutdown hook runs): the runtime's next call finds no Runtime API and the
     * client exits by itself, so no function process outlives the stack.
     */
    @Test
    void stackKilled_runtimeProcessExitsByItself() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process stack = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                OrphanProbe.class.getName(), root.dir().toString(), dir.resolve("logs").toString())
                .redirectError(dir.resolve("probe.err").toFile()).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(stack.getInputStream())).readLine();
            assertNotNull(line, () -> "the probe printed no pid: " + read(dir.resolve("probe.err")));
            long child = Long.parseLong(line.strip());
            assertNotEquals(stack.pid(), child);
            assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the runtime runs");
            stack.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false),
                    "runtime process " + child + " outlived the stack");
        } finally {
            stack.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
