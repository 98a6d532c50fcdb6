package org.hipoa.api;

import org.hipoa.aws.PageToken;
import org.hipoa.aws.ResultQueries;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Provider;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query grammar of a provider's listings, {@code /results} (by receipt, either order) and {@code /updates} (by
 * last change, oldest first): which parameters each takes and in what form, read into the listing, the page size and
 * the cursor. A request that breaks a rule is an {@link ApiError} 400, raised before any table read.
 */
record ListingRequest(ResultQueries.Listing listing, int limit, Optional<String> next) {
    static final int DEFAULT_LIMIT = 50;
    private static final Set<String> RESULTS_PARAMS = Set.of("status", "since", "until", "order", "limit", "next");
    private static final Set<String> UPDATES_PARAMS = Set.of("status", "since", "until", "limit", "next");

    ListingRequest {
        Objects.requireNonNull(listing, "listing");
        Objects.requireNonNull(next, "next");
    }

    /**
     * The listing {@code by} of the provider named {@code provider}, from the query string's parameters ({@code null}
     * when the request has none). An empty {@code next} is no cursor: the first page.
     *
     * @throws ApiError a 400 that names the rule broken
     */
    static ListingRequest parse(String provider, ResultQueries.By by, Map<String, String> query) {
        Provider p = Provider.parse(provider).orElseThrow(() -> ApiError.badRequest("Not a provider name."));
        Map<String, String> q = query == null ? Map.of() : query;
        Set<String> known = by == ResultQueries.By.RECEIVED ? RESULTS_PARAMS : UPDATES_PARAMS;
        for (String k : q.keySet()) {
            if (!known.contains(k)) {
                throw ApiError.badRequest("Unknown query parameter; use " + String.join(", ", new TreeSet<>(known))
                        + ".");
            }
        }
        Set<Status> statuses = Optional.ofNullable(q.get("status")).map(ListingRequest::statuses).orElse(Set.of());
        Optional<Instant> since = Optional.ofNullable(q.get("since")).map(v -> instant("since", v));
        Optional<Instant> until = Optional.ofNullable(q.get("until")).map(v -> instant("until", v));
        if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
            throw ApiError.badRequest("until must be after since.");
        }
        String order = q.getOrDefault("order", "asc");
        if (!order.equals("asc") && !order.equals("desc")) throw ApiError.badRequest("order must be asc or desc.");
        int limit = Optional.ofNullable(q.get("limit")).map(ListingRequest::limit).orElse(DEFAULT_LIMIT);
        var listing = new ResultQueries.Listing(p, by, statuses, since, until, order.equals("desc"));
        Optional<String> next = Optional.ofNullable(q.get("next")).filter(t -> !t.isEmpty());
        try {
            next.ifPresent(t -> ResultQueries.checkToken(listing, t));
        } catch (PageToken.InvalidTokenException e) {
            throw badCursor();
        }
        return new ListingRequest(listing, limit, next);
    }

    /** The 400 for a cursor that is not one of this listing's (forged, stale, or from another query). */
    static ApiError badCursor() {
        return ApiError.badRequest("next is not a cursor of this query: repeat the request that returned it, with the"
                + " same status, since, until and order.");
    }

    static Set<Status> statuses(String s) {
        Set<Status> out = EnumSet.noneOf(Status.class);
        for (String part : s.split(",", -1)) {
            try {
                out.add(Status.valueOf(part));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("status must be one or more of RECEIVED, PREPROCESSED, GRADED, FAILED,"
                        + " comma-separated.");
            }
        }
        return out;
    }

    /**
     * An ISO-8601 instant with a zone, rounded up to the millisecond (the index keys' precision: a bound of
     * 10:00:00.0005 must neither let in 10:00:00.000 as since nor shut it out as until), within 1970..9999 — the
     * range where the keys' fixed-width text sorts as time (a year past 9999 once sorted before every key).
     */
    static Instant instant(String name, String s) {
        Instant t;
        try {
            t = OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest(name + " must be an ISO-8601 instant with a zone, e.g. 2026-01-31T00:00:00Z.");
        }
        if (t.getNano() % 1_000_000 != 0) t = t.truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        if (t.isBefore(ResultQueries.EARLIEST) || t.isAfter(ResultQueries.LATEST)) {
            throw ApiError.badRequest(name + " must lie between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.");
        }
        return t;
    }

    static int limit(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= ResultQueries.MAX_PAGE) return n;
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw ApiError.badRequest("limit must be an integer from 1 to " + ResultQueries.MAX_PAGE + ".");
    }
}
