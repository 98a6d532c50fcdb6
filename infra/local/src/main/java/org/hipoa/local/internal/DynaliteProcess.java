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
 * In-memory DynamoDB: dynalite in a child Node process ({@code infra/local/node/dynalite-server.js}). The script
 * prints its OS-chosen port and exits when its stdin closes, so it dies with this JVM even on {@code kill -9}.
 */
public final class DynaliteProcess implements AutoCloseable {
    private static final String PORT_LINE = "DYNALITE_PORT ";

    private final Process process;
    private final URI endpoint;

    private DynaliteProcess(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts dynalite from {@code nodeDir} (runs {@code npm ci} there first if node_modules is missing). */
    public static DynaliteProcess start(Path nodeDir) throws IOException {
        Path script = nodeDir.resolve("dynalite-server.js");
        if (!Files.isRegularFile(script)) {
            throw new IOException("dynalite script not found: " + script);
        }
        String node = executable("HIPOA_NODE", "node");
        if (!Files.isDirectory(nodeDir.resolve("node_modules/dynalite"))) {
            npmCi(nodeDir);
        }
        Process p = new ProcessBuilder(node, script.toString())
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
        int port = Integer.parseInt(line.substring(PORT_LINE.length()).trim());
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
        return new DynaliteProcess(p, URI.create("http://127.0.0.1:" + port));
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
    public void close() {
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
