package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import org.hipoa.local.internal.FunctionEnvironment;
import org.hipoa.local.internal.LocalContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One Lambda function run in this JVM, with Lambda's rules for its execution environments:
 * <ul>
 *   <li>at most {@code concurrency} environments; each builds its own handler on its first invocation (the cold
 *       start, timed) and then runs one event at a time;</li>
 *   <li>the timeout is enforced: an invocation still running at its deadline is reported as
 *       {@code Task timed out} and its environment is thrown away (Lambda stops the runtime); its thread is
 *       interrupted and, since a JVM cannot kill a thread, marked dead — {@link Invocation#checkAlive()} lets a
 *       client wrapper refuse any further call from it;</li>
 *   <li>an {@link Error} out of the handler (a crashed runtime: out of memory, a simulated kill) also throws the
 *       environment away, so the next event pays a cold start; an exception keeps it, as the Java runtime does;</li>
 *   <li>the handler thread gets the stack Lambda's Java runtime gives its handler: the runtime calls it on the JVM's
 *       main thread, which the {@code java} launcher creates with {@code -Xss} (1 MB on x86-64 Linux when unset) —
 *       so {@code stackBytes} 0 means "this JVM's default", which is that same rule.</li>
 * </ul>
 * Events arrive as the JSON Lambda would send and are turned into the handler's input type by the Java runtime's
 * own serialiser ({@code aws-lambda-java-serialization}). Memory is reported in the context but not enforced: the
 * environments share one JVM heap.
 *
 * @param <I> the handler's event type
 * @param <O> the handler's result type
 */
public final class LocalFunction<I, O> implements LambdaFunction<I, O> {
    /** Time spent building a handler and running its first event. */
    public record ColdStart(String container, Duration init, Duration firstInvoke) {}

    /** An invocation that ended with an exception or a timeout, as Lambda reports an unhandled function error. */
    public static final class FunctionError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean timedOut;

        FunctionError(String function, Throwable cause) {
            super(function + " failed: " + cause.getClass().getName() + ": " + cause.getMessage(), cause);
            this.timedOut = false;
        }

        FunctionError(String function, Duration timeout) {
            super(function + ": Task timed out after " + timeout.toMillis() / 1000.0 + " seconds");
            this.timedOut = true;
        }

        /** A failure a function process reported (its message as Lambda's Invoke gives it). */
        FunctionError(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        /** True for Lambda's "Task timed out". */
        public boolean timedOut() {
            return timedOut;
        }
    }

    /**
     * Thrown on a thread whose invocation timed out or was killed, at the next point that asks
     * ({@link Invocation#checkAlive()}): an Error, so the handler's {@code catch (RuntimeException)} cannot swallow it.
     */
    public static final class EnvironmentKilled extends Error {
        private static final long serialVersionUID = 1L;

        EnvironmentKilled(String message) {
            super(message);
        }
    }

    /** The invocation running on the current thread, for code that wraps the handler's clients. */
    public static final class Invocation {
        private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();
        private final String function;
        private final String eventJson;
        private volatile boolean killed;

        private Invocation(String function, String eventJson) {
            this.function = function;
            this.eventJson = eventJson;
        }

        public static Optional<Invocation> current() {
            return Optional.ofNullable(CURRENT.get());
        }

        public String function() {
            return function;
        }

        /** The event as Lambda delivered it. */
        public String eventJson() {
            return eventJson;
        }

        public boolean killed() {
            return killed;
        }

        /** @throws EnvironmentKilled when Lambda would have stopped this invocation already */
        public void checkAlive() {
            if (killed) throw new EnvironmentKilled(function + ": the environment was stopped (timeout)");
        }
    }

    /** One execution environment: a thread (its stack as Lambda's) and the handler it built. */
    private final class Environment {
        final String id;
        final ExecutorService thread;
        RequestHandler<I, O> handler;

        Environment(int n) {
            this.id = name + "-env-" + n;
            this.thread = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name(id)
                    .stackSize(stackBytes).unstarted(r));
        }
    }

    private final String name;
    private final String region;
    private final Class<I> inputType;
    private final Supplier<? extends RequestHandler<I, O>> factory;
    private final Duration timeout;
    private final int memoryMb;
    private final long stackBytes;
    private final Semaphore slots;
    private final ConcurrentLinkedQueue<Environment> idle = new ConcurrentLinkedQueue<>();
    private final List<Environment> all = new ArrayList<>();
    private final InvocationStats stats = new InvocationStats();
    private final PojoSerializer<I> serializer;
    private volatile boolean closed;
    /** The function's own environment (its role's credentials, its template variables); null: the JVM's. */
    private volatile java.util.Map<String, String> environment;

    /** Memory 3008 MB, the JVM's default thread stack (as Lambda). */
    public LocalFunction(String name, String region, Class<I> inputType,
                         Supplier<? extends RequestHandler<I, O>> factory, int concurrency, Duration timeout) {
        this(name, region, inputType, factory, concurrency, timeout, 3008, 0);
    }

    /**
     * @param memoryMb   what the context reports (template.yaml's MemorySize); not enforced
     * @param stackBytes the handler thread's stack; 0 = the JVM default ({@code -Xss}), what Lambda's runtime gives
     */
    public LocalFunction(String name, String region, Class<I> inputType,
                         Supplier<? extends RequestHandler<I, O>> factory, int concurrency, Duration timeout,
                         int memoryMb, long stackBytes) {
        this.name = Objects.requireNonNull(name, "name");
        this.region = Objects.requireNonNull(region, "region");
        this.inputType = Objects.requireNonNull(inputType, "inputType");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be > 0");
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
        if (memoryMb < 128) throw new IllegalArgumentException("memoryMb must be >= 128");
        if (stackBytes < 0) throw new IllegalArgumentException("stackBytes must be >= 0");
        this.memoryMb = memoryMb;
        this.stackBytes = stackBytes;
        this.slots = new Semaphore(concurrency, true);
        this.serializer = LambdaEventSerializers.serializerFor(inputType, LocalFunction.class.getClassLoader());
    }

    /** A handler built the way Lambda builds it: the named class, its public no-argument constructor. */
    public static <I, O> Supplier<RequestHandler<I, O>> byClassName(String className) {
        return () -> {
            try {
                @SuppressWarnings("unchecked")
                RequestHandler<I, O> h = (RequestHandler<I, O>) Class.forName(className).getConstructor().newInstance();
                return h;
            } catch (ReflectiveOperationException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException("cannot build handler " + className + ": " + cause, cause);
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Runs every invocation with this environment layered over the JVM's properties, as Lambda gives each function
     * its own role credentials and variables ({@link FunctionEnvironment}); threads the handler starts inherit it.
     */
    public LocalFunction<I, O> environment(java.util.Map<String, String> variables) {
        FunctionEnvironment.install();
        this.environment = java.util.Map.copyOf(variables);
        return this;
    }

    /** The environment set by {@link #environment}, empty when none. */
    public java.util.Map<String, String> environment() {
        java.util.Map<String, String> e = environment;
        return e == null ? java.util.Map.of() : e;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs one event (Lambda's JSON) in a free environment (waiting for one if all are busy) and returns its result.
     *
     * @throws FunctionError for a handler exception, a crash, or a timeout
     */
    @Override
    public O invoke(String eventJson) {
        if (closed) throw new IllegalStateException(name + " is closed");
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a free " + name + " environment", e);
        }
        Environment env = idle.poll();
        if (env == null) {
            env = new Environment(stats.environmentCreated());
            synchronized (all) {
                all.add(env);
            }
        }
        boolean keep = false;
        Invocation inv = new Invocation(name, eventJson);
        Environment e = env;
        try {
            Future<O> f;
            try {
                f = e.thread.submit(() -> run(e, eventJson, inv));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                throw new IllegalStateException(name + " is closed", closing);
            }
            try {
                O out = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                keep = true;
                return out;
            } catch (TimeoutException t) {
                inv.killed = true;
                f.cancel(true);
                stats.failed(true, false);
                throw new FunctionError(name, timeout);
            } catch (InterruptedException ie) {
                inv.killed = true;
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + name + " ran", ie);
            } catch (ExecutionException ee) {
                Throwable cause = ee.getCause();
                stats.failed(false, cause instanceof Error);
                if (!(cause instanceof Error)) keep = true; // the Java runtime reports the exception and keeps the environment
                throw new FunctionError(name, cause);
            }
        } finally {
            if (keep && !closed) {
                idle.add(e);
            } else {
                e.thread.shutdownNow();
            }
            slots.release();
        }
    }

    private O run(Environment env, String eventJson, Invocation inv) {
        Invocation.CURRENT.set(inv);
        if (environment != null) FunctionEnvironment.enter(environment);
        try {
            RequestHandler<I, O> h = env.handler;
            boolean cold = h == null;
            long t0 = System.nanoTime();
            if (cold) {
                h = factory.get();
                env.handler = h;
            }
            long t1 = System.nanoTime();
            I event = serializer.fromJson(eventJson);
            LocalContext ctx = new LocalContext(name, region, memoryMb, timeout.toMillis(), "local/" + env.id);
            try {
                return h.handleRequest(event, ctx);
            } finally {
                long t2 = System.nanoTime();
                if (cold) stats.coldStart(new ColdStart(env.id, Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1)));
                else stats.warm((t2 - t1) / 1_000_000);
            }
        } finally {
            Invocation.CURRENT.remove();
        }
    }

    /** The cold starts so far, one per execution environment that ran. */
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

    public Class<I> inputType() {
        return inputType;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (all) {
            for (Environment e : all) e.thread.shutdownNow();
        }
    }
}
