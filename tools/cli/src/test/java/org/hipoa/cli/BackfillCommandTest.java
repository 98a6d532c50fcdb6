package org.hipoa.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ./hipoa backfill's usage mistakes end as exit 64 with a sentence, before any stack starts (the full path, 20
 * studies to GRADED, is infra/local's BackfillTest).
 */
class BackfillCommandTest {
    @Test
    void neitherOrBothSources_anEmptyDir_orABadProvider_areUsageErrors(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        String[][] cases = {
                {"backfill"},
                {"backfill", "--dir", tmp.toString(), "--count", "3"},
                {"backfill", "--dir", tmp.resolve("missing").toString()},
                {"backfill", "--dir", tmp.resolve("empty").toString()},
                {"backfill", "--count", "3", "--provider", "Not A Provider"},
                {"backfill", "--count", "3", "--concurrency", "0"},
        };
        String[] expected = {"--dir D or --count N", "--dir D or --count N", "is not a directory", "holds no files",
                "--provider", "--concurrency"};
        PrintStream err = System.err;
        for (int i = 0; i < cases.length; i++) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Hipoa.run(cases[i]);
            } finally {
                System.setErr(err);
            }
            String said = buffer.toString(StandardCharsets.UTF_8);
            assertEquals(64, code, String.join(" ", cases[i]));
            assertTrue(said.contains(expected[i]), String.join(" ", cases[i]) + " said: " + said);
        }
    }
}
