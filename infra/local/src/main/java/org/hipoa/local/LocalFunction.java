package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import org.hipoa.local.internal.LocalContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One Lambda function run in this JVM. Each of its {@code concurrency} threads is one execution environment: it
 * builds its own handler on its first invocation (the cold start, timed) and then runs one event at a time, as a
 * Lambda container does. Events arrive as the JSON Lambda would send and are turned into the handler's input type
 * by the Java runtime's own serialiser ({@code aws-lambda-java-serialization}).
 *
 * @param <I> the handler's event type
 * @param <O> the handler's result type
 */
public final class LocalFunction<I, O> implements AutoCloseable {
    /** Time spent building a handler and running its first event. */
    public record ColdStart(String container, Duration init, Duration firstInvoke) {}

    /** An invocation that ended with an exception, as Lambda reports an unhandled function error. */
    public static final class FunctionError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FunctionError(String function, Throwable cause) {
            super(function + " failed: " + cause.getClass().getName() + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * The stack a Lambda handler thread gets: the Java runtime (aws-lambda-java-runtime-interface-client 2.10.1,
     * {@code AWSLambda.main}) runs the handler on the JVM's main thread (or default pool threads under
     * AWS_LAMBDA_MAX_CONCURRENCY) and sets no stack size, so it is the JVM default, 1 MB on x86-64 Linux (the
     * process's {@code ulimit -s}, 8 MB, does not apply to the Java main thread). The same here, so a handler that
     * needs more fails locally too instead of crashing only on AWS.
     */
    static final long CONTAINER_STACK_BYTES = 1L << 20;

    private final String name;
    private final String region;
    private final Class<I> inputType;
    private final Supplier<? extends RequestHandler<I, O>> factory;
    private final Duration timeout;
    private final int memoryMb;
    private final ExecutorService containers;
    private final ThreadLocal<RequestHandler<I, O>> handler = new ThreadLocal<>();
    private final PojoSerializer<I> serializer;
    private final List<ColdStart> coldStarts = new ArrayList<>();
    private final LongSummaryStatistics warmMillis = new LongSummaryStatistics();
    private final AtomicInteger errors = new AtomicInteger();

    public LocalFunction(String name, String region, Class<I> inputType,
                         Supplier<? extends RequestHandler<I, O>> factory, int concurrency, Duration timeout) {
        this.name = Objects.requireNonNull(name, "name");
        this.region = Objects.requireNonNull(region, "region");
        this.inputType = Objects.requireNonNull(inputType, "inputType");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
        this.memoryMb = 3008;
        AtomicInteger n = new AtomicInteger();
        this.containers = Executors.newFixedThreadPool(concurrency, r -> Thread.ofPlatform().daemon()
                .name(name + "-container-" + n.incrementAndGet()).stackSize(CONTAINER_STACK_BYTES).unstarted(r));
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

    public String name() {
        return name;
    }

    /** Runs one event (Lambda's JSON) and waits for its result; a handler exception comes back as FunctionError. */
    public O invoke(String eventJson) {
        Future<O> f = containers.submit(() -> run(eventJson));
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + name + " ran", e);
        } catch (ExecutionException e) {
            errors.incrementAndGet();
            throw new FunctionError(name, e.getCause());
        }
    }

    private O run(String eventJson) {
        RequestHandler<I, O> h = handler.get();
        boolean cold = h == null;
        long t0 = System.nanoTime();
        if (cold) {
            h = factory.get();
            handler.set(h);
        }
        long t1 = System.nanoTime();
        I event = serializer.fromJson(eventJson);
        LocalContext ctx = new LocalContext(name, region, memoryMb, timeout.toMillis(),
                "local/" + Thread.currentThread().getName());
        try {
            return h.handleRequest(event, ctx);
        } finally {
            long t2 = System.nanoTime();
            synchronized (this) {
                if (cold) {
                    coldStarts.add(new ColdStart(Thread.currentThread().getName(), Duration.ofNanos(t1 - t0),
                            Duration.ofNanos(t2 - t1)));
                } else {
                    warmMillis.accept((t2 - t1) / 1_000_000);
                }
            }
        }
    }

    /** The cold starts so far, one per execution environment that ran. */
    public synchronized List<ColdStart> coldStarts() {
        return List.copyOf(coldStarts);
    }

    /** Durations of warm invocations so far, ms. */
    public synchronized LongSummaryStatistics warmInvocations() {
        LongSummaryStatistics copy = new LongSummaryStatistics();
        copy.combine(warmMillis);
        return copy;
    }

    /** Invocations that ended with an exception. */
    public int errors() {
        return errors.get();
    }

    public Class<I> inputType() {
        return inputType;
    }

    @Override
    public void close() {
        containers.shutdownNow();
    }
}
