package org.hipoa.local.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * DynamoDB: dynalite in a child Node process ({@code infra/local/node/dynalite-server.js}), in memory or, given a
 * data folder, in LevelDB. The script prints its port and exits when its stdin closes, so it dies with this JVM even
 * on {@code kill -9}. With a data folder it can be killed and started again on the same port ({@link #kill()},
 * {@link #restart()}): clients keep their endpoint and find every acknowledged write, as after a DynamoDB outage.
 */
public final class DynaliteProcess implements AutoCloseable {
    private static final String PORT_LINE = "DYNALITE_PORT ";

    private final Path nodeDir;
    private final Path dataDir;
    private final URI endpoint;
    private volatile Process process;
    private final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();

    private DynaliteProcess(Path nodeDir, Path dataDir, Process process, URI endpoint) {
        this.nodeDir = nodeDir;
        this.dataDir = dataDir;
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts an in-memory dynalite from {@code nodeDir} (runs {@code npm ci} there first if node_modules is missing). */
    public static DynaliteProcess start(Path nodeDir) throws IOException {
        return start(nodeDir, null);
    }

    /** @param dataDir LevelDB folder that outlives a {@link #kill()}; null keeps everything in memory */
    public static DynaliteProcess start(Path nodeDir, Path dataDir) throws IOException {
        Path script = nodeDir.resolve("dynalite-server.js");
        if (!Files.isRegularFile(script)) {
            throw new IOException("dynalite script not found: " + script);
        }
        if (!Files.isDirectory(nodeDir.resolve("node_modules/dynalite"))) {
            npmCi(nodeDir);
        }
        if (dataDir != null) Files.createDirectories(dataDir);
        Started s = launch(nodeDir, dataDir, 0);
        return new DynaliteProcess(nodeDir, dataDir, s.process(), URI.create("http://127.0.0.1:" + s.port()));
    }

    private record Started(Process process, int port) {}

    private static Started launch(Path nodeDir, Path dataDir, int port) throws IOException {
        String node = executable("HIPOA_NODE", "node");
        List<String> command = new java.util.ArrayList<>(List.of(node, nodeDir.resolve("dynalite-server.js").toString(),
                Integer.toString(port)));
        if (dataDir != null) command.add(dataDir.toString());
        Process p = new ProcessBuilder(command)
                .directory(nodeDir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        // stdin stays open (never written): closing it is the stop signal.
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        String line;
        try {
            line = first.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while starting dynalite", e);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("dynalite did not report its port within 30 s", e);
        }
        if (line == null || !line.startsWith(PORT_LINE)) {
            p.destroyForcibly();
            throw new IOException("dynalite did not start (first line: " + line + "); is Node >= 18 installed? "
                    + "run 'npm ci' in " + nodeDir);
        }
        int actual = Integer.parseInt(line.substring(PORT_LINE.length()).trim());
        // Drain anything else it prints so it can never block on a full pipe.
        Thread.ofVirtual().name("dynalite-stdout").start(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
        return new Started(p, actual);
    }

    /** Kills the server at once (SIGKILL), as a crashed or partitioned DynamoDB endpoint: calls fail until restart. */
    public synchronized void kill() {
        Process p = process;
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the server again on the same port and data folder (after {@link #kill()}); only for a stack with a
     * data folder, since an in-memory server would come back empty.
     */
    public synchronized void restart() throws IOException {
        if (dataDir == null) throw new IllegalStateException("an in-memory dynalite would lose its data on restart");
        if (process.isAlive()) kill();
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) { // the port may take a moment to be free again
            try {
                process = launch(nodeDir, dataDir, endpoint.getPort()).process();
                restarts.incrementAndGet();
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while restarting dynalite", ie);
                }
            }
        }
        throw last;
    }

    /** Restarts so far. */
    public int restarts() {
        return restarts.get();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The OS process id (tests check that it is gone after close). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public synchronized void close() {
        Process process = this.process;
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void npmCi(Path nodeDir) throws IOException {
        String npm = executable("HIPOA_NPM", "npm");
        Process p = new ProcessBuilder(List.of(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"))
                .directory(nodeDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("'npm ci' failed in " + nodeDir + "; run it by hand (infra/setup.sh does)");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during npm ci", e);
        }
    }

    private static String executable(String envOverride, String name) {
        String v = System.getenv(envOverride);
        return v == null || v.isBlank() ? name : v;
    }
}
