package org.hipoa.local.runtime;

import org.hipoa.local.runtime.InvokeResult.Failure;
import org.hipoa.local.runtime.InvokeResult.Kind;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * One Lambda execution environment as its own JVM: {@code java … AWSLambda <handler>} — the real Java runtime
 * interface client, in the task root, against a {@link LocalRuntimeApi} of its own, with Lambda's environment
 * variables, the launcher's memory flags ({@link JavaRuntime#memoryFlags}) and MemorySize enforced on the process
 * ({@link MemoryLimit}). So what fails on Lambda fails here the same way: a handler string naming no class
 * ("Class not found", on the first event, as the client reports it), a class missing from the package
 * (NoClassDefFoundError), a static initialiser that throws (an init error), a heap too small (OutOfMemoryError),
 * memory over the limit (killed), an invocation past its Timeout (killed, environment discarded).
 * <p>
 * One event at a time, as Lambda sends them to an environment; concurrency is more environments. The process is
 * destroyed by {@link #close()}, when it ends on its own, and by a shutdown hook of this JVM; if this JVM dies
 * without running hooks, the client's next call to the vanished Runtime API fails and it exits by itself.
 */
public final class LambdaProcess implements AutoCloseable {
    /** Lambda's limit on an on-demand environment's init phase. */
    static final Duration INIT_LIMIT = Duration.ofSeconds(10);
    /** Where Lambda puts the function's code. */
    static final String LAMBDA_TASK_ROOT = "/var/task";
    private static final Set<LambdaProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(LambdaProcess::kill), "lambda-reaper"));
    }

    /** The AWS side of the environment: region, account (for the function ARN) and the role's credentials. */
    public record Identity(String region, String accountId, String accessKeyId, String secretAccessKey,
                           String sessionToken) {
        public Identity {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(accountId, "accountId");
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        }
    }

    /**
     * What the local stack adds to an environment beyond Lambda's own: class path entries after the runtime client's,
     * JVM flags, and variables the runtime never shows the function's configuration (the local IAM's, say). Never
     * part of the function's package, so a class missing there stays missing.
     */
    public record Agent(List<Path> classpath, List<String> jvmFlags, Map<String, String> environment) {
        public static final Agent NONE = new Agent(List.of(), List.of(), Map.of());

        public Agent {
            classpath = List.copyOf(classpath);
            jvmFlags = List.copyOf(jvmFlags);
            environment = Map.copyOf(environment);
        }
    }

    private enum Stop { NONE, TIMEOUT, MEMORY, CLOSE }

    private final FunctionDefinition function;
    private final LocalRuntimeApi api;
    private final Process process;
    private final MemoryLimit memory;
    private final Path log;
    private final Path tmp;
    private final long startNanos = System.nanoTime();
    private volatile long initEndNanos;
    private volatile Duration coldStart;
    private volatile Stop stop = Stop.NONE;
    private volatile Failure initFailure;
    private volatile String endedBecause;
    private final CompletableFuture<Void> ended;

    private LambdaProcess(FunctionDefinition function, TaskRoot root, Map<String, String> variables,
                          Identity identity, Path log, Agent agent) throws IOException {
        this.function = function;
        this.log = log;
        // Every environment has a /tmp of its own on Lambda: here a folder per process, which java.io.tmpdir and
        // any variable naming /tmp (DJL_CACHE_DIR: /tmp/djl) point into, so two environments never race on a cache.
        this.tmp = Files.createTempDirectory("hipoa-lambda-tmp-");
        String arn = "arn:aws:lambda:" + identity.region() + ":" + identity.accountId() + ":function:"
                + function.logicalId();
        this.api = new LocalRuntimeApi(arn);
        List<String> command = new ArrayList<>();
        command.add(JavaRuntime.javaExecutable().toString());
        command.addAll(JavaRuntime.memoryFlags(function.memoryMb()));
        command.addAll(JavaRuntime.jdkFlags());
        command.add(JavaRuntime.jniFlag());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.addAll(agent.jvmFlags());
        command.add("-cp");
        List<Path> classpath = new ArrayList<>(JavaRuntime.classpath());
        classpath.addAll(agent.classpath());
        command.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(JavaRuntime.MAIN_CLASS);
        command.add(function.handler());
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.dir().toFile()) // the client's task root
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.clear(); // only what Lambda sets: nothing of this machine's environment (its AWS_* above all)
        variables.forEach((k, v) -> env.put(k, inTaskRoot(inTmp(v, tmp), root)));
        env.putAll(agent.environment());
        env.put("JAVA_TOOL_OPTIONS", JavaRuntime.toolOptions(variables.get("JAVA_TOOL_OPTIONS")));
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "en_US.UTF-8");
        env.put("LD_LIBRARY_PATH", root.dir() + ":" + root.dir().resolve("lib"));
        env.put("TZ", ":UTC");
        env.put("_HANDLER", function.handler());
        env.put("LAMBDA_TASK_ROOT", root.dir().toString());
        env.put("AWS_LAMBDA_RUNTIME_API", api.hostAndPort());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_NAME", function.logicalId());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMb()));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.logicalId());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", log.getFileName().toString());
        env.put("AWS_REGION", identity.region());
        env.put("AWS_DEFAULT_REGION", identity.region());
        env.put("AWS_ACCESS_KEY_ID", identity.accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", identity.secretAccessKey());
        if (identity.sessionToken() != null) env.put("AWS_SESSION_TOKEN", identity.sessionToken());
        try {
            this.process = pb.start();
        } catch (IOException e) {
            api.close();
            throw e;
        }
        LIVE.add(this);
        this.memory = new MemoryLimit(process, function.memoryMb(), () -> stop = Stop.MEMORY);
        api.pollAfter(0).thenRun(() -> initEndNanos = System.nanoTime());
        this.ended = process.onExit().thenRun(this::ended);
    }

    /**
     * Starts an environment: the process begins its init at once (Lambda's init phase), before the first event.
     *
     * @param variables the function's environment ({@link FunctionDefinition#environment(Map)}: the template's, the
     *                  intrinsics resolved, local endpoints added); JAVA_TOOL_OPTIONS among them goes after the
     *                  runtime's own
     * @param logDir    where the process's stdout and stderr go (Lambda's log stream), one file per environment
     */
    public static LambdaProcess start(FunctionDefinition function, TaskRoot root, Map<String, String> variables,
                                      Identity identity, Path logDir) {
        return start(function, root, variables, identity, logDir, Agent.NONE);
    }

    /** As {@link #start(FunctionDefinition, TaskRoot, Map, Identity, Path)}, with the local stack's {@code agent}. */
    public static LambdaProcess start(FunctionDefinition function, TaskRoot root, Map<String, String> variables,
                                      Identity identity, Path logDir, Agent agent) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(identity, "identity");
        Set<String> reserved = new java.util.TreeSet<>(variables.keySet());
        reserved.retainAll(FunctionDefinition.RESERVED_KEYS);
        if (!reserved.isEmpty()) throw new IllegalArgumentException(reserved + " are reserved: Lambda sets them");
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(function.logicalId() + "-" + SEQUENCE.incrementAndGet() + ".log");
            return new LambdaProcess(function, root, Map.copyOf(variables), identity, log, agent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + function.logicalId(), e);
        }
    }

    /**
     * Sends one event and waits for its end: the function's Timeout from the moment the runtime takes the event
     * (the first event also waits for init, up to Lambda's 10 s init limit). After a failure that ends the
     * environment (timeout, memory, an Error in the handler, which the client answers by exiting),
     * {@link #isAlive()} is already false when this returns.
     *
     * @return the response or the failure; an environment whose init failed answers every event with that failure
     * @throws IllegalStateException when the environment already ended after a good init: Lambda would start a new
     *                               one, which is the caller's to do
     */
    public synchronized InvokeResult invoke(String eventJson) {
        Objects.requireNonNull(eventJson, "eventJson");
        if (!process.isAlive()) {
            ended.join();
            if (initFailure != null) return initFailure;
            throw new IllegalStateException(function.logicalId() + ": this environment ended (" + endedBecause
                    + "); start a new one");
        }
        LocalRuntimeApi.Pending p;
        try {
            p = api.submit(eventJson, function.timeout());
        } catch (IllegalStateException endedMeanwhile) {
            ended.join();
            if (initFailure != null) return initFailure;
            throw new IllegalStateException(function.logicalId() + ": this environment ended (" + endedBecause
                    + "); start a new one", endedMeanwhile);
        }
        InvokeResult result;
        try {
            CompletableFuture.anyOf(p.pickedUp, p.result)
                    .get(INIT_LIMIT.plus(function.timeout()).toMillis(), TimeUnit.MILLISECONDS);
            if (p.result.isDone()) {
                result = p.result.join();
            } else {
                long left = Math.max(0, p.pickedUp.join() - System.currentTimeMillis());
                result = p.result.get(left, TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            result = timedOut(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(Stop.CLOSE);
            throw new IllegalStateException(function.logicalId() + ": interrupted while invoking", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (coldStart == null) coldStart = Duration.ofNanos(System.nanoTime() - startNanos);
        settle(p);
        return result;
    }

    /**
     * Lambda unpacks the package at /var/task, and templates name files there ({@code MODEL_DIR: /var/task/model});
     * here the task root is another folder, so such a value is moved with it.
     */
    static String inTaskRoot(String value, TaskRoot root) {
        if (value.equals(LAMBDA_TASK_ROOT)) return root.dir().toString();
        if (value.startsWith(LAMBDA_TASK_ROOT + "/")) {
            return root.dir().resolve(value.substring(LAMBDA_TASK_ROOT.length() + 1)).toString();
        }
        return value;
    }

    /** As {@link #inTaskRoot}, for Lambda's /tmp: each environment's own folder here. */
    static String inTmp(String value, Path tmp) {
        if (value.equals("/tmp")) return tmp.toString();
        if (value.startsWith("/tmp/")) return tmp.resolve(value.substring("/tmp/".length())).toString();
        return value;
    }

    private Failure timedOut(LocalRuntimeApi.Pending p) {
        Failure f = Failure.of(Kind.TIMEOUT, "Sandbox.Timedout", Instant.now().truncatedTo(ChronoUnit.MILLIS) + " "
                + p.id + " Task timed out after " + String.format(Locale.ROOT, "%.2f",
                function.timeout().toMillis() / 1000.0) + " seconds");
        if (!p.result.complete(f)) return (Failure) p.result.join(); // the answer came in at the last moment
        kill(Stop.TIMEOUT); // Lambda stops the runtime of a timed-out invocation and discards the environment
        return f;
    }

    /**
     * After an answer the client either polls again (the environment lives on) or exits (it decided the error was
     * fatal): waiting for one of the two makes {@link #isAlive()} exact when {@link #invoke} returns.
     */
    private void settle(LocalRuntimeApi.Pending p) {
        if (!process.isAlive()) {
            ended.join();
            return;
        }
        try {
            CompletableFuture.anyOf(api.pollAfter(p.poll), ended).get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // neither within 5 s: a runtime busy with something else; it counts as alive
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ended() {
        int code = process.exitValue();
        String how = code > 128 && code < 160 ? "signal: " + signal(code - 128) : "exit status " + code;
        Stop why = stop;
        endedBecause = switch (why) {
            case TIMEOUT -> "timed out";
            case MEMORY -> "over its memory (" + function.memoryMb() + " MB)";
            case CLOSE -> "closed";
            case NONE -> "runtime exited with " + how;
        };
        Failure posted = api.initError().getNow(null);
        if (posted != null) {
            initFailure = posted;
        } else if (initEndNanos == 0 && why != Stop.CLOSE) {
            initFailure = exitFailure(why, "init", how);
        }
        for (LocalRuntimeApi.Pending p : api.drain()) p.result.complete(exitFailure(why, p.id, how));
        memory.close();
        api.close();
        LIVE.remove(this);
        deleteTmp();
    }

    /** Lambda's /tmp goes with its environment. */
    private void deleteTmp() {
        try (var files = Files.walk(tmp)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp folder: the OS cleans it eventually
        }
    }

    private static Failure exitFailure(Stop why, String requestId, String how) {
        return why == Stop.MEMORY
                ? Failure.of(Kind.OUT_OF_MEMORY, "Runtime.OutOfMemory",
                "RequestId: " + requestId + " Error: Runtime exited with error: signal: killed")
                : Failure.of(Kind.RUNTIME_EXITED, "Runtime.ExitError",
                "RequestId: " + requestId + " Error: Runtime exited with error: " + how);
    }

    private static String signal(int n) {
        return switch (n) {
            case 6 -> "aborted";
            case 9 -> "killed";
            case 11 -> "segmentation fault";
            case 15 -> "terminated";
            default -> "signal " + n;
        };
    }

    private void kill(Stop why) {
        if (stop == Stop.NONE) stop = why;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // SIGKILL was sent; the kernel finishes it
        }
    }

    private static void kill(LambdaProcess p) {
        p.kill(Stop.CLOSE);
    }

    public FunctionDefinition function() {
        return function;
    }

    /** Whether the runtime process still runs (it can take another event). */
    public boolean isAlive() {
        return process.isAlive() && endedBecause == null;
    }

    public long pid() {
        return process.pid();
    }

    /** Process start to the end of init (the client's first poll for an event), once init has ended. */
    public Optional<Duration> initDuration() {
        long end = initEndNanos;
        return end == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(end - startNanos));
    }

    /** Process start to the first invocation's answer: the cold start a first caller waits for (with no queueing). */
    public Optional<Duration> coldStart() {
        return Optional.ofNullable(coldStart);
    }

    /** The largest resident set seen, MB: Lambda's "Max Memory Used" (0 where /proc cannot be read). */
    public long maxMemoryUsedMb() {
        return memory.peakMb();
    }

    /** The environment's log: the process's stdout and stderr. */
    public Path logFile() {
        return log;
    }

    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the process (SIGKILL, as Lambda ends an environment) and the Runtime API. Idempotent. */
    @Override
    public void close() {
        kill(Stop.CLOSE);
        memory.close();
        api.close();
        LIVE.remove(this);
        deleteTmp();
    }
}
