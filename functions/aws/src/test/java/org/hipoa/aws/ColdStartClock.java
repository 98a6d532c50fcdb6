package org.hipoa.aws;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The clock of the functions' {@code ColdStart} mains (bench/cold-start.sh): started first thing in {@code main},
 * it times each phase of a fresh JVM's way to its first result, prints the one line the bench parses, and ends the
 * process as Lambda would leave it. The bench puts this class (aws's test classes) beside each function's package.
 */
public final class ColdStartClock {
    private final long main = System.nanoTime();
    private final Map<String, Double> phasesMs = new LinkedHashMap<>();
    private long last;

    private ColdStartClock() {}

    /** Call first in {@code main}: the JVM's own start-up is measured up to here. */
    public static ColdStartClock start() {
        return new ColdStartClock();
    }

    /** The timed part begins (after reading the input file, which Lambda's event would carry). */
    public void begin() {
        last = System.nanoTime();
    }

    /** Ends the phase {@code name}, begun at {@link #begin} or the previous lap. */
    public void lap(String name) {
        long now = System.nanoTime();
        phasesMs.put(name, (now - last) / 1e6);
        last = now;
    }

    /**
     * Prints {@code "<run>: JVM start to main N ms, <phase> N ms, ...; JVM start to first <result> N ms (...)"}, the
     * line bench/cold-start.sh reads. The management classes are read only now: they are not in Lambda's path.
     */
    public void report(String run, String result) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        double sinceJvmStart = System.currentTimeMillis() - jvmStart - (System.nanoTime() - main) / 1e6;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: JVM start to main %.0f ms", run,
                sinceJvmStart));
        phasesMs.forEach((name, ms) -> line.append(String.format(Locale.ROOT, ", %s %.0f ms", name, ms)));
        line.append(String.format(Locale.ROOT, "; JVM start to first %s %.0f ms (epoch ms: JVM start %d, done %d)",
                result, sinceJvmStart + (last - main) / 1e6, jvmStart, System.currentTimeMillis()));
        System.out.println(line);
    }

    /**
     * Ends the process where Lambda would send its first response. Not by {@code System.exit}: shutdown hooks and the
     * native libraries' teardown (the AWS CRT's, ONNX Runtime's) are no part of a cold start, since Lambda never ends
     * the process after an event. {@code -Dcoldstart.exit=halt} (the CDS and AOT training runs, which write their
     * archive on the JVM's own exit path) halts instead; otherwise the process is killed (exit status 137), which
     * skips the teardown too.
     */
    public void end() throws Exception {
        System.out.flush();
        if (!"halt".equals(System.getProperty("coldstart.exit"))) {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        }
        Runtime.getRuntime().halt(0);
    }
}
