package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.local.runtime.FunctionDefinition;
import org.hipoa.local.runtime.InvokeResult;
import org.hipoa.local.runtime.LambdaProcess;
import org.hipoa.local.runtime.TaskRoot;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * One Lambda function whose execution environments are JVM processes ({@link LambdaProcess}: the real runtime
 * interface client, the template's handler string, memory and JAVA_TOOL_OPTIONS), with Lambda's rules for them:
 * <ul>
 *   <li>at most {@code concurrency} environments, started on demand (the cold start: process start, init, first
 *       event) and then reused, one event at a time each;</li>
 *   <li>an environment that timed out, ran out of memory, or whose runtime exited (an Error out of the handler makes
 *       the client exit) is discarded and the next event starts a new one; one whose handler threw an exception
 *       lives on, as the Java runtime keeps it;</li>
 *   <li>an environment that ended between events (killed over its memory while idle) is replaced before the event.</li>
 * </ul>
 * The environment's variables and credentials are set once the stack knows them ({@link #configure}), before the
 * first event; results come back as the runtime serialised them and are read into the handler's result type.
 *
 * @param <I> the handler's event type (for the triggers' typing only: events travel as JSON)
 * @param <O> the handler's result type
 */
public final class ProcessFunction<I, O> implements LambdaFunction<I, O> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FunctionDefinition definition;
    private final TaskRoot root;
    private final Path logDir;
    private final Function<String, O> decoder;
    private final int concurrency;
    private final Semaphore slots;
    private final ConcurrentLinkedDeque<LambdaProcess> idle = new ConcurrentLinkedDeque<>();
    private final List<LambdaProcess> all = new ArrayList<>();
    private final InvocationStats stats = new InvocationStats();
    private volatile Map<String, String> variables;
    private volatile LambdaProcess.Identity identity;
    private volatile LambdaProcess.Agent agent = LambdaProcess.Agent.NONE;
    private volatile boolean closed;

    /**
     * @param definition  the template's function, with the timeout this stack enforces
     * @param concurrency the most environments at once
     * @param decoder     the runtime's JSON answer → the handler's result type ({@link #decoder(Class)})
     */
    public ProcessFunction(FunctionDefinition definition, TaskRoot root, int concurrency, Path logDir,
                           Function<String, O> decoder) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.root = Objects.requireNonNull(root, "root");
        this.logDir = Objects.requireNonNull(logDir, "logDir");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency, true);
    }

    /** What each environment gets: the function's variables, its role's identity, the local stack's agent. */
    public ProcessFunction<I, O> configure(Map<String, String> variables, LambdaProcess.Identity identity,
                                           LambdaProcess.Agent agent) {
        this.variables = Map.copyOf(variables);
        this.identity = Objects.requireNonNull(identity, "identity");
        this.agent = Objects.requireNonNull(agent, "agent");
        return this;
    }

    /** The same function, its environments started with another agent (a test's IAM, say). */
    ProcessFunction<I, O> withAgent(LambdaProcess.Agent other) {
        ProcessFunction<I, O> f = new ProcessFunction<>(definition, root, concurrency, logDir, decoder);
        return f.configure(variables, identity, other);
    }

    /** How the runtime client writes each result type this stack's functions return. */
    @SuppressWarnings("unchecked")
    public static <O> Function<String, O> decoder(Class<O> type) {
        if (type == Void.class) return json -> null;
        if (type == SQSBatchResponse.class) return json -> (O) batchResponse(json);
        if (type == APIGatewayProxyResponseEvent.class) {
            var serializer = LambdaEventSerializers.serializerFor(APIGatewayProxyResponseEvent.class,
                    ProcessFunction.class.getClassLoader());
            return json -> (O) serializer.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        }
        throw new IllegalArgumentException("no decoder for " + type);
    }

    /** SQSBatchResponse is no event the runtime's serialiser knows: it writes it as the bean it is. */
    private static SQSBatchResponse batchResponse(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || root.isNull()) return null;
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (JsonNode f : root.path("batchItemFailures")) {
                failures.add(new SQSBatchResponse.BatchItemFailure(f.path("itemIdentifier").asText(null)));
            }
            return new SQSBatchResponse(failures);
        } catch (IOException e) {
            throw new UncheckedIOException("not an SQSBatchResponse: " + json, e);
        }
    }

    @Override
    public String name() {
        return definition.logicalId();
    }

    public FunctionDefinition definition() {
        return definition;
    }

    @Override
    public O invoke(String eventJson) {
        if (closed) throw new IllegalStateException(name() + " is closed");
        if (variables == null) throw new IllegalStateException(name() + ": not configured (variables, identity)");
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free " + name() + " environment", e);
        }
        LambdaProcess p = null;
        try {
            p = idleEnvironment();
            boolean cold = p == null;
            if (cold) p = start();
            long t0 = System.nanoTime();
            InvokeResult r;
            try {
                r = p.invoke(eventJson);
            } catch (IllegalStateException ended) {
                if (Thread.currentThread().isInterrupted() || closed) throw ended;
                // It ended after it last answered (killed over its memory while idle): Lambda uses a new one.
                p.close();
                p = start();
                cold = true;
                t0 = System.nanoTime();
                r = p.invoke(eventJson);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            record(p, cold, ms);
            return switch (r) {
                case InvokeResult.Success s -> decoder.apply(s.payload());
                case InvokeResult.Failure f -> throw failed(f, p);
            };
        } finally {
            if (p != null && p.isAlive() && !closed) {
                idle.push(p); // the most recently used first, as Lambda tends to reuse a warm one
            } else if (p != null) {
                p.close();
            }
            slots.release();
        }
    }

    private LambdaProcess idleEnvironment() {
        for (LambdaProcess p; (p = idle.poll()) != null; ) {
            if (p.isAlive()) return p;
            p.close();
        }
        return null;
    }

    private LambdaProcess start() {
        stats.environmentCreated();
        LambdaProcess p = LambdaProcess.start(definition, root, variables, identity, logDir, agent);
        synchronized (all) {
            all.add(p);
        }
        if (closed) { // closed meanwhile: no process may outlive the stack
            p.close();
            throw new IllegalStateException(name() + " is closed");
        }
        return p;
    }

    private void record(LambdaProcess p, boolean cold, long ms) {
        if (!cold) {
            stats.warm(ms);
            return;
        }
        Duration init = p.initDuration().orElse(Duration.ZERO);
        Duration first = p.coldStart().map(c -> c.minus(init)).orElse(Duration.ofMillis(ms));
        stats.coldStart(new LocalFunction.ColdStart(name() + "-pid-" + p.pid(), init, first));
    }

    private LocalFunction.FunctionError failed(InvokeResult.Failure f, LambdaProcess p) {
        boolean timedOut = f.kind() == InvokeResult.Kind.TIMEOUT;
        stats.failed(timedOut, !p.isAlive());
        String message = name() + " failed: " + f.kind() + " " + f.errorType() + ": " + f.errorMessage();
        if (!p.isAlive()) message += " (environment ended; its log: " + p.logFile() + ")";
        return new LocalFunction.FunctionError(message, timedOut);
    }

    @Override
    public List<LocalFunction.ColdStart> coldStarts() {
        return stats.coldStarts();
    }

    @Override
    public LongSummaryStatistics warmInvocations() {
        return stats.warmInvocations();
    }

    @Override
    public int errors() {
        return stats.errors();
    }

    @Override
    public int timeouts() {
        return stats.timeouts();
    }

    @Override
    public int crashes() {
        return stats.crashes();
    }

    @Override
    public int environmentsCreated() {
        return stats.environmentsCreated();
    }

    /** Environments alive now (idle or busy). */
    public int environmentsAlive() {
        synchronized (all) {
            return (int) all.stream().filter(LambdaProcess::isAlive).count();
        }
    }

    /** The environments' log files, oldest first (Lambda's log streams). */
    public List<Path> logFiles() {
        synchronized (all) {
            return all.stream().map(LambdaProcess::logFile).toList();
        }
    }

    @Override
    public void close() {
        closed = true;
        List<LambdaProcess> copy;
        synchronized (all) {
            copy = new ArrayList<>(all);
        }
        copy.forEach(LambdaProcess::close);
        idle.clear();
    }
}
