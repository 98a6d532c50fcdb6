package org.hipoa.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./hipoa load}'s usage errors (the run itself is infra/local's FaultLoadTest: the same LoadRun on the same
 * stack, at test size).
 */
class LoadCommandTest {
    @Test
    void usageMistakesAreExit64WithAMessage() {
        assertEquals(64, Hipoa.run(new String[]{"load"}), "--studies is required");
        assertEquals(64, Hipoa.run(new String[]{"load", "--studies", "0"}));
        assertEquals(64, Hipoa.run(new String[]{"load", "--studies", "10", "--concurrency", "x"}));
        assertEquals(64, Hipoa.run(new String[]{"load", "--studies", "10", "--profile", "hostile"}),
                "a profile without a seed");
        assertEquals(64, Hipoa.run(new String[]{"load", "--studies", "10", "--faults", "1", "--profile", "nasty"}));
        assertTrue(Hipoa.USAGE.contains("load --studies N"));
    }
}
