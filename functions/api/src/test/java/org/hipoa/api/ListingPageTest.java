package org.hipoa.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The byte cap on a listing page: what fits in half of Lambda's response, as JSON. */
class ListingPageTest {
    /** A result-like object whose JSON is {@code bytes} long. */
    private static ObjectNode ofBytes(int bytes) {
        ObjectNode n = ResultJson.JSON.createObjectNode().put("m", "");
        int overhead = n.toString().length();
        return n.put("m", "x".repeat(bytes - overhead));
    }

    @Test
    void fitting_countsEachResultWithItsComma_andKeepsAtLeastOne() {
        int cap = ListingPage.MAX_PAGE_RESULT_BYTES;
        assertEquals(0, ListingPage.fitting(List.of()));
        assertEquals(3, ListingPage.fitting(Collections.nCopies(3, ofBytes(1000))));
        // Three results of a third of the cap, each with its comma: the third one no longer fits.
        ObjectNode third = ofBytes(cap / 3);
        assertEquals(2, ListingPage.fitting(List.of(third, third, third)));
        ObjectNode exact = ofBytes(cap / 2 - 1);
        assertEquals(2, ListingPage.fitting(List.of(exact, exact, ofBytes(10))));
        // One result bigger than the cap on its own still makes a page (a DynamoDB item cannot reach Lambda's limit).
        assertEquals(1, ListingPage.fitting(List.of(ofBytes(cap + 1), ofBytes(10))));
    }
}
