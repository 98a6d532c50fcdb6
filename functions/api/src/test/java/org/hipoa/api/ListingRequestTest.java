package org.hipoa.api;

import org.hipoa.aws.ResultQueries;
import org.hipoa.aws.ResultQueries.By;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listings' query grammar, without API Gateway: each rule's 400 and the forms it accepts. */
class ListingRequestTest {
    private static final Provider ACME = new Provider("acme");

    /** The 400 that {@code query} gets on the listing {@code by}, whose detail must contain {@code says}. */
    private static ApiError refused(By by, Map<String, String> query, String says) {
        ApiError e = assertThrows(ApiError.class, () -> ListingRequest.parse("acme", by, query), query.toString());
        assertEquals(400, e.status);
        assertEquals("BAD_REQUEST", e.code);
        assertTrue(e.getMessage().contains(says), e.getMessage());
        return e;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"limit|0|limit must be an integer from 1 to 100",
            "limit|101|limit must be", "limit|ten|limit must be", "since|yesterday|since must be an ISO-8601 instant",
            "since|2026-13-01|since must be an ISO-8601", "since|2026-01-31T00:00:00|since must be an ISO-8601",
            "since|+10000-01-01T00:00:00Z|since must lie between", "since|1969-12-31T23:59:59.999Z|since must lie",
            "since|9999-12-31T23:59:59.9999Z|since must lie", "until|2026-13-01|until must be an ISO-8601",
            "until|+275760-09-13T00:00:00Z|until must", "status|DONE|status must be one or more of",
            "status|graded|status must", "status|''|status must", "status|GRADED,|status must",
            "order|up|order must be asc or desc", "order|DESC|order must be asc or desc",
            "sort|asc|Unknown query parameter", "next|not a token!|next is not a cursor of this query",
            "next|bm90IGEgdG9rZW4|next is not a cursor"})
    void badListingParameters_are400(String name, String value, String says) {
        for (By by : By.values()) {
            // The feed takes no order at all: there, any order is an unknown parameter.
            refused(by, Map.of(name, value), by == By.UPDATED && name.equals("order") ? "Unknown query parameter"
                    : says);
        }
    }

    @Test
    void theFeedIsOrderedByChangeOnly_andEmptyRangesAre400() {
        ApiError e = refused(By.UPDATED, Map.of("order", "desc"), "Unknown query parameter");
        assertTrue(e.getMessage().contains("limit, next, since, status, until"), e.getMessage());
        assertTrue(refused(By.RECEIVED, Map.of("sort", "asc"), "Unknown")
                .getMessage().contains("limit, next, order, since, status, until"));
        for (By by : By.values()) {
            refused(by, Map.of("since", "2026-01-01T00:00:00Z", "until", "2026-01-01T00:00:00Z"),
                    "until must be after since.");
            refused(by, Map.of("since", "2026-01-02T00:00:00Z", "until", "2026-01-01T00:00:00+01:00"),
                    "until must be after since.");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ACME", "a", "..%2F", "acme/x", ""})
    void notAProviderName_is400_beforeTheQueryIsRead(String name) {
        ApiError e = assertThrows(ApiError.class, () -> ListingRequest.parse(name, By.RECEIVED, Map.of("sort", "x")));
        assertEquals(400, e.status);
        assertEquals("Not a provider name.", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(By.class)
    void noParameters_areTheWholeListing_oldestFirst_fiftyAPage(By by) {
        for (ListingRequest r : new ListingRequest[]{ListingRequest.parse("acme", by, null),
                ListingRequest.parse("acme", by, Map.of())}) {
            assertEquals(new ResultQueries.Listing(ACME, by, Set.of(), Optional.empty(), Optional.empty(), false),
                    r.listing());
            assertEquals(ListingRequest.DEFAULT_LIMIT, r.limit());
            assertEquals(Optional.empty(), r.next());
        }
    }

    @Test
    void acceptedForms_becomeTheListing() {
        Map<String, String> q = new HashMap<>(Map.of("status", "GRADED,FAILED", "order", "desc",
                "since", "2026-01-31T00:00:00+01:00", "until", "9999-12-31T23:59:59.999Z", "limit", "100",
                "next", ""));
        ListingRequest r = ListingRequest.parse("acme", By.RECEIVED, q);
        assertEquals(new ResultQueries.Listing(ACME, By.RECEIVED, Set.of(Status.GRADED, Status.FAILED),
                Optional.of(Instant.parse("2026-01-30T23:00:00Z")), Optional.of(ResultQueries.LATEST), true),
                r.listing());
        assertEquals(100, r.limit());
        assertEquals(Optional.empty(), r.next(), "an empty next is the first page");
        q.remove("order");
        q.put("limit", "1");
        q.put("status", "RECEIVED,PREPROCESSED,GRADED,FAILED,GRADED");
        r = ListingRequest.parse("acme", By.UPDATED, q);
        assertEquals(1, r.limit());
        assertEquals(Set.of(Status.values()), r.listing().statuses());
        assertFalse(r.listing().descending());
    }

    @Test
    void bounds_areRoundedUpToTheMillisecond_within1970To9999() {
        assertEquals(ResultQueries.EARLIEST, ListingRequest.instant("since", "1970-01-01T00:00:00Z"));
        assertEquals(ResultQueries.LATEST, ListingRequest.instant("until", "9999-12-31T23:59:59.999Z"));
        assertEquals(Instant.parse("2026-01-31T10:00:00.001Z"),
                ListingRequest.instant("since", "2026-01-31T10:00:00.0005Z"));
        assertEquals(Instant.parse("2026-01-31T10:00:00.001Z"),
                ListingRequest.instant("until", "2026-01-31T10:00:00.000000001Z"));
        // Rounding up may not carry a bound past the range: 9999-12-31T23:59:59.9991Z would be year 10000.
        assertThrows(ApiError.class, () -> ListingRequest.instant("until", "9999-12-31T23:59:59.9991Z"));
    }
}
