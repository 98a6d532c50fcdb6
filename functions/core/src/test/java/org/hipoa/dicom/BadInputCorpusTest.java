package org.hipoa.dicom;

import org.hipoa.domain.Outcome;

import org.hipoa.domain.Rejection;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every case of {@link BadInputCorpus} through the real decoder: the exact outcome, within a time bound generous
 * enough for a loaded 2-core CI machine, and never an exception. Refusal messages are for people: no Java class
 * names, no byte offsets, no "Infinity"/"NaN".
 */
class BadInputCorpusTest {
    /** Per case; the slowest (a 40 Mpx film, a 300 MB deflate bomb) take about a second on a quiet 2-core machine. */
    static final Duration PER_CASE = Duration.ofSeconds(10);
    private static final Pattern INTERNALS = Pattern.compile(
            "Exception|java\\.|com\\.pixelmed|\\boffset\\b|Infinity|NaN");

    @TempDir static Path work;
    static final RadiographDecoder decoder = new RadiographDecoder();
    private static List<BadInputCorpus.Case> cases;

    /** Generated once per run: it calls gdcmconv a dozen times and builds a 79 MB film. */
    static synchronized List<BadInputCorpus.Case> cases() throws Exception {
        if (cases == null) cases = BadInputCorpus.generate(work);
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyCase_hasItsExactOutcome_quickly() throws Exception {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Outcome<Radiograph> result = assertTimeoutPreemptively(PER_CASE, () -> decoder.decode(c.bytes()), c.name());
            check(c, result);
        }));
    }

    @Test
    void corpus_hasAtLeastAHundredDistinctCases_coveringEveryDecoderReason() throws Exception {
        List<BadInputCorpus.Case> cases = cases();
        assertTrue(cases.size() >= 100, "only " + cases.size() + " cases");
        Set<Object> reasons = new HashSet<>();
        Set<java.nio.ByteBuffer> contents = new HashSet<>();
        for (BadInputCorpus.Case c : cases) {
            if (c.expected() instanceof BadInputCorpus.Expected.Refused r) reasons.add(r.reason());
            contents.add(java.nio.ByteBuffer.wrap(c.bytes()));
        }
        assertEquals(cases.size(), contents.size(), "two cases have the same bytes");
        for (String r : List.of("NOT_DICOM", "TRUNCATED", "NO_PIXEL_DATA", "UNSUPPORTED_TRANSFER_SYNTAX",
                "UNSUPPORTED_PHOTOMETRIC", "MULTIFRAME", "TOO_LARGE", "CORRUPT")) {
            assertTrue(reasons.contains(org.hipoa.domain.Reason.valueOf(r)), "no case for " + r);
        }
    }

    static void check(BadInputCorpus.Case c, Outcome<Radiograph> result) {
        switch (c.expected()) {
            case BadInputCorpus.Expected.Refused want -> {
                if (!(result instanceof Outcome.Rejected<Radiograph> r)) {
                    fail(c.name() + ": decoded, expected " + want.reason());
                    return;
                }
                Rejection rejection = r.rejection();
                assertEquals(want.reason(), rejection.reason(), c.name() + ": " + rejection.message());
                assertFalse(INTERNALS.matcher(rejection.message()).find(),
                        c.name() + ": message shows internals: " + rejection.message());
            }
            case BadInputCorpus.Expected.Gated want -> {
                if (result instanceof Outcome.Rejected<Radiograph> r) fail(c.name() + ": refused " + r.rejection());
                Radiograph g = ((Outcome.Ok<Radiograph>) result).value();
                assertEquals(want.rows(), g.rows(), c.name());
                assertEquals(want.columns(), g.columns(), c.name());
                Rejection gate = org.hipoa.core.model.HipQa.checkAttributes(g,
                        org.hipoa.core.crop.CropContract.bundled()).orElse(null);
                assertEquals(want.reason(), gate == null ? null : gate.reason(), c.name() + ": " + gate);
            }
            case BadInputCorpus.Expected.Decoded want -> {
                if (result instanceof Outcome.Rejected<Radiograph> r) fail(c.name() + ": refused " + r.rejection());
                Radiograph g = ((Outcome.Ok<Radiograph>) result).value();
                assertEquals(want.rows(), g.rows(), c.name());
                assertEquals(want.columns(), g.columns(), c.name());
                PixelStats s = g.stats();
                assertTrue(Double.isFinite(s.min()) && Double.isFinite(s.max()), c.name());
                assertEquals(want.min(), s.min(), want.tolerance(), c.name() + " min");
                assertEquals(want.max(), s.max(), want.tolerance(), c.name() + " max");
            }
        }
    }
}
