package org.hipoa.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs one of viewer/test's Node scripts (puppeteer-core driving Debian's chromium) from the repository root with the
 * given environment, its output to {@code log}; fails the calling test with that output when the script fails or
 * outlives {@code limit}. The scripts print one "ok - ..." line per check and exit 1 on the first that fails.
 */
final class BrowserScript {
    private BrowserScript() {}

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    static void run(Path root, String script, Map<String, String> env, Path log, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", script).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("CHROMIUM", CHROMIUM.toString());
        Process p = pb.start();
        boolean finished = p.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String text = Files.readString(log);
        System.err.print(text);
        assertTrue(finished, script + " did not finish in " + limit + ":\n" + text);
        assertEquals(0, p.exitValue(), script + " failed:\n" + text);
    }
}
