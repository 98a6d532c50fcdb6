package org.hipoa.local.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A stand-in for the stack's JVM in {@link LambdaProcessLimitsTest#stackKilled_runtimeProcessExitsByItself}: starts
 * one environment (args: task root, log folder), prints the runtime's pid once it idles, and waits to be killed.
 */
public final class OrphanProbe {
    private OrphanProbe() {}

    public static void main(String[] args) throws Exception {
        FunctionDefinition fn = FixturePackage.function("Sleep", 256, Duration.ofSeconds(5), Map.of());
        LambdaProcess p = LambdaProcess.start(fn, new TaskRoot(Path.of(args[0])), Map.of(), FixturePackage.IDENTITY,
                Path.of(args[1]));
        p.invoke("{\"ms\": 1}").payloadOrThrow(); // init done: the client now waits in GET /next
        System.out.println(p.pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
