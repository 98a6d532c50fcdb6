package org.hipoa.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.hipoa.local.runtime.InvokeResult.Failure;
import org.hipoa.local.runtime.InvokeResult.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Runtime API of one execution environment, on 127.0.0.1 (developer guide, "Using the Lambda runtime API
 * for custom runtimes"): {@code GET /2018-06-01/runtime/invocation/next} blocks until an event and hands it out
 * with the {@code Lambda-Runtime-*} headers; {@code POST …/invocation/{id}/response} and {@code …/error} end it;
 * {@code POST /2018-06-01/runtime/init/error} reports a handler that could not be built. The Java runtime interface
 * client 2.10.1 reaches it through its native client (libcurl) for next/response and {@code HttpURLConnection} for
 * the errors, at {@code http://} + {@code AWS_LAMBDA_RUNTIME_API} ({@link #hostAndPort()}); it treats any answer
 * other than 202 to an error post as fatal and exits, so those are always 202.
 */
public final class LocalRuntimeApi implements AutoCloseable {
    private static final String BASE = "/2018-06-01/runtime";
    private static final Pattern INVOCATION = Pattern.compile(
            "^" + BASE + "/invocation/([A-Za-z0-9-]+)/(response|error)$");
    /**
     * Lambda's limit on a synchronous response, 6 MB; over it Invoke fails with Function.ResponseSizeTooLarge
     * (the message names 6291556 bytes: Lambda counts a little framing).
     */
    public static final int MAX_RESPONSE_BYTES = 6_291_556;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event on its way through the runtime. */
    static final class Pending {
        final String id = UUID.randomUUID().toString();
        final byte[] payload;
        final Duration timeout;
        final CompletableFuture<Long> pickedUp = new CompletableFuture<>();
        final CompletableFuture<InvokeResult> result = new CompletableFuture<>();
        /** The runtime's GET /next that took this event (1 = the first); set before {@link #pickedUp}. */
        volatile long poll;

        Pending(byte[] payload, Duration timeout) {
            this.payload = payload;
            this.timeout = timeout;
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Map<String, Pending> inFlight = new ConcurrentHashMap<>();
    private final String functionArn;
    private final AtomicLong polls = new AtomicLong();
    private volatile CompletableFuture<Long> nextPoll = new CompletableFuture<>();
    private final CompletableFuture<Failure> initError = new CompletableFuture<>();
    private volatile boolean closed;

    /** @param functionArn what {@code Lambda-Runtime-Invoked-Function-Arn} carries (the context's ARN) */
    public LocalRuntimeApi(String functionArn) {
        this.functionArn = Objects.requireNonNull(functionArn, "functionArn");
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the local Runtime API", e);
        }
        server.setExecutor(handlers); // GET /next blocks for as long as no event comes: a thread each
        server.createContext(BASE + "/", this::handle);
        server.start();
    }

    /** What {@code AWS_LAMBDA_RUNTIME_API} must hold: "host:port", no scheme (the client prefixes http://). */
    public String hostAndPort() {
        return server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** Queues an event for the runtime's next GET /next; its deadline starts when the runtime takes it. */
    synchronized Pending submit(String eventJson, Duration timeout) {
        if (closed) throw new IllegalStateException("the Runtime API is closed: the environment ended");
        Pending p = new Pending(eventJson.getBytes(StandardCharsets.UTF_8), timeout);
        initError.thenAccept(p.result::complete); // an environment that failed init answers every event with it
        queue.add(p);
        return p;
    }

    /** Completes with the poll count once the runtime has polled more than {@code seen} times. */
    CompletableFuture<Long> pollAfter(long seen) {
        CompletableFuture<Long> f = nextPoll;
        return polls.get() > seen ? CompletableFuture.completedFuture(polls.get()) : f;
    }

    /** The error the runtime posted to /init/error, once it has. */
    CompletableFuture<Failure> initError() {
        return initError;
    }

    /** Takes every event not yet answered (queued or with the runtime), for the caller to end. */
    synchronized List<Pending> drain() {
        List<Pending> all = new ArrayList<>(inFlight.values());
        queue.drainTo(all);
        inFlight.clear();
        return all;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (method.equals("GET") && path.equals(BASE + "/invocation/next")) {
                next(ex);
                return;
            }
            if (method.equals("POST") && path.equals(BASE + "/init/error")) {
                Failure f = error(Kind.INIT_ERROR, ex);
                initError.complete(f);
                for (Pending p : drain()) p.result.complete(f);
                respond(ex, 202, "{\"status\":\"OK\"}");
                return;
            }
            Matcher m = INVOCATION.matcher(path);
            if (method.equals("POST") && m.matches()) {
                answer(ex, m.group(1), m.group(2).equals("response"));
                return;
            }
            respond(ex, 404, "{\"errorType\":\"NotFound\",\"errorMessage\":\"" + method + " " + path + "\"}");
        }
    }

    private void next(HttpExchange ex) throws IOException {
        long n = polls.incrementAndGet(); // before the swap: pollAfter's check then never misses this poll
        CompletableFuture<Long> done;
        synchronized (this) {
            done = nextPoll;
            nextPoll = new CompletableFuture<>();
        }
        done.complete(n);
        Pending p = null;
        while (p == null && !closed) {
            try {
                p = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (p != null && p.result.isDone()) p = null; // timed out or failed before the runtime took it
        }
        if (p == null) return; // closing: the runtime sees the connection drop and exits
        long deadline = System.currentTimeMillis() + p.timeout.toMillis();
        inFlight.put(p.id, p);
        p.poll = n;
        p.pickedUp.complete(deadline);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "application/json");
        h.set("Lambda-Runtime-Aws-Request-Id", p.id);
        h.set("Lambda-Runtime-Deadline-Ms", Long.toString(deadline));
        h.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        h.set("Lambda-Runtime-Trace-Id", traceId());
        ex.sendResponseHeaders(200, p.payload.length == 0 ? -1 : p.payload.length);
        ex.getResponseBody().write(p.payload);
    }

    private void answer(HttpExchange ex, String id, boolean success) throws IOException {
        Pending p = inFlight.remove(id);
        if (p == null) {
            // Already ended here (a response over the limit is followed by the client's own error post): accepted
            // and dropped, so the client does not take a refusal as fatal.
            ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
            respond(ex, 202, "{\"status\":\"OK\"}");
            return;
        }
        if (success) {
            byte[] body = ex.getRequestBody().readNBytes(MAX_RESPONSE_BYTES + 1);
            if (body.length > MAX_RESPONSE_BYTES) {
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                p.result.complete(Failure.of(Kind.RESPONSE_TOO_LARGE, "Function.ResponseSizeTooLarge",
                        "Response payload size exceeded maximum allowed payload size (" + MAX_RESPONSE_BYTES
                                + " bytes)."));
                respond(ex, 413, "{\"errorType\":\"RequestEntityTooLarge\",\"errorMessage\":\"response too large\"}");
                return;
            }
            p.result.complete(new InvokeResult.Success(new String(body, StandardCharsets.UTF_8)));
        } else {
            p.result.complete(error(Kind.FUNCTION_ERROR, ex));
        }
        respond(ex, 202, "{\"status\":\"OK\"}");
    }

    /** The runtime's error document: {@code {"errorMessage", "errorType", "stackTrace"}}. */
    private static Failure error(Kind kind, HttpExchange ex) throws IOException {
        String rapidType = ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
        byte[] body = readLimited(ex.getRequestBody());
        String type = null;
        String message = new String(body, StandardCharsets.UTF_8);
        List<String> trace = new ArrayList<>();
        try {
            JsonNode doc = JSON.readTree(body);
            if (doc != null && doc.isObject()) {
                type = doc.path("errorType").isTextual() ? doc.get("errorType").asText() : null;
                message = doc.path("errorMessage").asText(message);
                doc.path("stackTrace").forEach(n -> trace.add(n.asText()));
            }
        } catch (IOException notJson) {
            // kept as the raw text above
        }
        return new Failure(kind, type, message, trace, rapidType);
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] b = in.readNBytes(1 << 20);
        in.transferTo(OutputStream.nullOutputStream());
        return b;
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** An X-Ray trace header of the documented form, not sampled (nothing here collects traces). */
    private static String traceId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] id = new byte[12];
        r.nextBytes(id);
        return "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + HexFormat.of().formatHex(id)
                + ";Parent=" + String.format("%016x", r.nextLong()) + ";Sampled=0";
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        server.stop(0);
        handlers.shutdownNow();
    }
}
