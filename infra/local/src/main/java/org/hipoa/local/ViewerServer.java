package org.hipoa.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The results viewer ({@code viewer/} of the checkout) on its own 127.0.0.1 port — what the S3 bucket behind
 * CloudFront is on AWS. Its origin differs from the local API's, so the browser applies CORS exactly as it does
 * there. {@code /config.json} is written here (on AWS it is uploaded beside the page): where the API is; and the
 * page's Content-Security-Policy names that API's origin (on AWS the deployment writes it into the page). GET and
 * HEAD only; nothing outside the folder (and nothing of its {@code test/}) is served; no directory listings.
 */
public final class ViewerServer implements AutoCloseable {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "png", "image/png", "svg", "image/svg+xml", "json", "application/json");

    /** The API origin index.html's Content-Security-Policy names until a deployment writes the real one. */
    public static final String API_ORIGIN_PLACEHOLDER = "https://api.hipoa.invalid";
    private final Path root;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile URI apiBaseUrl;

    public ViewerServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        if (!Files.isRegularFile(this.root.resolve("index.html"))) {
            throw new IOException("no viewer at " + this.root + " (index.html missing)");
        }
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        this.executor = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon().name("viewer").unstarted(r));
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
    }

    /** {@code http://127.0.0.1:port} — the origin the API's CORS header names. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI url() {
        return URI.create(origin() + "/");
    }

    /** Where the page's config.json sends it. */
    public void apiBaseUrl(URI api) {
        this.apiBaseUrl = Objects.requireNonNull(api);
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "GET or HEAD only".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.equals("/config.json")) {
                URI api = apiBaseUrl;
                byte[] json = new ObjectMapper().createObjectNode()
                        .put("apiBaseUrl", api == null ? "" : api.toString()).toString()
                        .getBytes(StandardCharsets.UTF_8);
                send(ex, 200, "application/json", json);
                return;
            }
            if (path.endsWith("/")) path += "index.html";
            Path file = root.resolve(path.substring(1)).normalize();
            // viewer/test (the browser test and its node_modules) is not part of the page, here as on S3.
            if (!file.startsWith(root) || file.startsWith(root.resolve("test")) || !Files.isRegularFile(file)) {
                send(ex, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String name = file.getFileName().toString();
            String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            byte[] bytes = Files.readAllBytes(file);
            if (file.equals(root.resolve("index.html"))) bytes = withApiOrigin(bytes);
            send(ex, 200, TYPES.getOrDefault(ext, "application/octet-stream"), bytes);
        }
    }

    /**
     * The page as a deployment publishes it: its Content-Security-Policy lets it connect to its own origin and the
     * configured API's only, in place of the placeholder origin the checked-in page names.
     */
    private byte[] withApiOrigin(byte[] page) {
        URI api = apiBaseUrl;
        if (api == null) return page; // unconfigured: the placeholder reaches nothing
        String origin = api.getScheme() + "://" + api.getRawAuthority();
        return new String(page, StandardCharsets.UTF_8).replace(API_ORIGIN_PLACEHOLDER, origin)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        // As the CloudFront response-headers policy in template.yaml: no caching of a page under development,
        // no framing, no sniffing, scripts only from this origin.
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
