package org.hipoa.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real PACS for the local stack: Debian's {@code orthanc} with the {@code orthanc-dicomweb} plugin, a child process
 * on 127.0.0.1 with a temporary configuration and storage (deleted on close), DICOMweb (QIDO/STOW/WADO) at
 * {@link #dicomWebRoot()}, no DICOM port, no authentication. Orthanc cannot take HTTP port 0, so a free port is
 * picked first (a small race with other processes, retried once).
 */
public final class OrthancPacs implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/Orthanc");
    /** Where Debian's orthanc-dicomweb puts the plugin (dpkg -L orthanc-dicomweb). */
    public static final List<Path> PLUGIN_CANDIDATES = List.of(
            Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so"),
            Path.of("/usr/lib/orthanc/libOrthancDicomWeb.so.1.7"));

    private final Process process;
    private final Path dir;
    private final int port;

    private OrthancPacs(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The plugin's path when Orthanc and the DICOMweb plugin are installed. */
    public static Optional<Path> plugin() {
        if (!Files.isExecutable(BINARY)) return Optional.empty();
        return PLUGIN_CANDIDATES.stream().filter(Files::isRegularFile).findFirst();
    }

    public static boolean installed() {
        return plugin().isPresent();
    }

    public static OrthancPacs start() throws IOException {
        Path plugin = plugin().orElseThrow(() -> new IOException("Orthanc with its DICOMweb plugin is not installed"
                + " (apt-get install orthanc orthanc-dicomweb; infra/setup.sh does it)"));
        IOException last = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            Path dir = Files.createTempDirectory("hipoa-orthanc-");
            int port = freePort();
            Files.createDirectories(dir.resolve("db"));
            String config = """
                    {
                      "Name": "HIPOA-LOCAL-PACS",
                      "StorageDirectory": "%1$s",
                      "IndexDirectory": "%1$s",
                      "HttpPort": %2$d,
                      "RemoteAccessAllowed": false,
                      "AuthenticationEnabled": false,
                      "DicomServerEnabled": false,
                      "HttpServerEnabled": true,
                      "StableAge": 1,
                      "Plugins": ["%3$s"],
                      "DicomWeb": {"Enable": true, "Root": "/dicom-web/"}
                    }
                    """.formatted(dir.resolve("db").toString().replace("\\", "/"), port, plugin);
            Path cfg = dir.resolve("orthanc.json");
            Files.writeString(cfg, config, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(BINARY.toString(), "--logdir=" + dir, cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            OrthancPacs pacs = new OrthancPacs(p, dir, port);
            if (pacs.awaitUp(Duration.ofSeconds(30))) return pacs;
            pacs.close();
            last = new IOException("Orthanc did not answer on port " + port);
        }
        throw last;
    }

    /** {@code http://127.0.0.1:PORT/dicom-web} — STOW at {@code /studies}, QIDO {@code /studies?…}, WADO below. */
    public URI dicomWebRoot() {
        return URI.create("http://127.0.0.1:" + port + "/dicom-web");
    }

    public URI httpRoot() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private boolean awaitUp(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpRoot() + "/system"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return true;
            } catch (IOException e) {
                // not yet listening
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }
}
