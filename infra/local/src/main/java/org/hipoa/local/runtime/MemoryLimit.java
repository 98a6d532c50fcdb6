package org.hipoa.local.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lambda's memory limit on one process: its resident set is read every {@link #PERIOD_MS} ms from
 * {@code /proc/<pid>/status} and the process is killed (SIGKILL) once it exceeds MemorySize, as Lambda kills an
 * environment over its memory ("Runtime exited with error: signal: killed", Runtime.OutOfMemory).
 * <p>
 * Why a watch and not the kernel: {@code prlimit --as} limits address space, and a JVM reserves far more than it
 * uses (here a 1024 MB limit refuses to start {@code java -XX:MaxHeapSize=870m}: "Could not reserve enough space");
 * a memory cgroup is exact but needs a writable cgroup hierarchy of our own, which this sandbox (cgroup v1 under the
 * machine's own hierarchy) and most developer machines do not give. The watch lets a fast allocation overshoot the
 * limit by what it allocates within one period before the kill; the JVM's own heap limit (85 % of the memory)
 * still fails heap allocations exactly. Linux only: elsewhere the JVM flags are the only limit.
 */
final class MemoryLimit implements AutoCloseable {
    static final long PERIOD_MS = 25;
    private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("lambda-memory-limit").unstarted(r));

    private final Process process;
    private final long limitKb;
    private final Runnable onExceeded;
    private final AtomicLong peakKb = new AtomicLong();
    private final ScheduledFuture<?> task;
    private volatile boolean exceeded;

    MemoryLimit(Process process, int memoryMb, Runnable onExceeded) {
        this.process = process;
        this.limitKb = memoryMb * 1024L;
        this.onExceeded = onExceeded;
        this.task = supported() ? WATCH.scheduleAtFixedRate(this::check, 0, PERIOD_MS, TimeUnit.MILLISECONDS) : null;
    }

    static boolean supported() {
        return Files.isReadable(Path.of("/proc/self/status"));
    }

    private void check() {
        if (exceeded || !process.isAlive()) return;
        OptionalLong rss = residentKb(process.pid());
        if (rss.isEmpty()) return;
        peakKb.accumulateAndGet(rss.getAsLong(), Math::max);
        if (rss.getAsLong() > limitKb) {
            exceeded = true;
            onExceeded.run(); // recorded before the kill, so the exit is read as the memory kill it is
            process.destroyForcibly();
        }
    }

    static OptionalLong residentKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.substring(6).replace("kB", "").strip()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone, or not Linux
        }
        return OptionalLong.empty();
    }

    /** The largest resident set seen, MB (Lambda's "Max Memory Used"); 0 where it cannot be read. */
    long peakMb() {
        return (peakKb.get() + 1023) / 1024;
    }

    boolean exceeded() {
        return exceeded;
    }

    @Override
    public void close() {
        if (task != null) task.cancel(false);
    }
}
