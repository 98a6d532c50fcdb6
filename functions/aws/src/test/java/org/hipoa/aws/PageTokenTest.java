package org.hipoa.aws;

import org.hipoa.domain.Fixtures;
import org.hipoa.domain.result.Status;
import org.hipoa.domain.upload.Provider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PageTokenTest {
    static final Provider ACME = new Provider("acme-clinic");
    static final Instant T = Instant.parse("2026-11-27T10:00:00Z");
    static final ResultQueries.Listing ALL = new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(),
            Optional.empty(), Optional.empty(), false);

    @Test
    void token_roundTrips_theItemsPosition() {
        String position = Fixtures.graded().sortKey();
        assertEquals(position, PageToken.decode(PageToken.encode(ALL.canonical(), position), ALL.canonical()));
    }

    @Test
    void aTokenIsBoundToItsQuery_everyFilterAndTheOrder_butNotThePageSize() {
        String token = PageToken.encode(ALL.canonical(), Fixtures.graded().sortKey());
        for (ResultQueries.Listing other : List.of(
                new ResultQueries.Listing(new Provider("other-clinic"), ResultQueries.By.RECEIVED, Set.of(),
                        Optional.empty(), Optional.empty(), false),
                new ResultQueries.Listing(ACME, ResultQueries.By.UPDATED, Set.of(), Optional.empty(), Optional.empty(),
                        false),
                new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(Status.GRADED), Optional.empty(),
                        Optional.empty(), false),
                new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(), Optional.of(T), Optional.empty(),
                        false),
                new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(), Optional.empty(), Optional.of(T),
                        false),
                new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(), Optional.empty(), Optional.empty(),
                        true))) {
            assertThrows(PageToken.InvalidTokenException.class, () -> ResultQueries.checkToken(other, token),
                    other.canonical());
        }
        assertDoesNotThrow(() -> ResultQueries.checkToken(ALL, token));
    }

    @Test
    void statusSets_areCanonical_inAnyOrder() {
        var a = new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(Status.GRADED, Status.FAILED),
                Optional.empty(), Optional.empty(), false);
        var b = new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(Status.FAILED, Status.GRADED),
                Optional.empty(), Optional.empty(), false);
        assertEquals(a.canonical(), b.canonical());
    }

    @Test
    void aPositionOutsideTheQuerysRange_isRefused_beforeDynamoDbCouldBe() {
        // Same fingerprint (the query is public knowledge), position before `since`: forged or stale, never issued.
        var since = new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(), Optional.of(T),
                Optional.empty(), false);
        String early = PageToken.encode(since.canonical(), "2026-11-26T00:00:00.000Z#" + Fixtures.UPLOAD_ID);
        assertThrows(PageToken.InvalidTokenException.class, () -> ResultQueries.checkToken(since, early));
        var until = new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED, Set.of(), Optional.empty(),
                Optional.of(T), false);
        String late = PageToken.encode(until.canonical(), "2026-11-27T10:00:00.000Z#" + Fixtures.UPLOAD_ID);
        assertThrows(PageToken.InvalidTokenException.class, () -> ResultQueries.checkToken(until, late));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "!!!", "bm90IGEgdG9rZW4", "UFJPVklERVIjb3RoZXI"})
    void foreignTokens_areInvalid(String token) {
        assertThrows(PageToken.InvalidTokenException.class, () -> ResultQueries.checkToken(ALL, token));
    }

    @Test
    void theFormerTokenFormat_andSmuggledPartitions_areInvalid() {
        String old = Base64.getUrlEncoder().withoutPadding().encodeToString(
                Fixtures.graded().sortKey().getBytes(StandardCharsets.UTF_8));
        assertThrows(PageToken.InvalidTokenException.class, () -> ResultQueries.checkToken(ALL, old));
        String smuggled = PageToken.encode(ALL.canonical(), Fixtures.graded().sortKey())
                .concat(Base64.getUrlEncoder().withoutPadding().encodeToString("|PROVIDER#other".getBytes()));
        assertThrows(PageToken.InvalidTokenException.class, () -> ResultQueries.checkToken(ALL, smuggled));
    }

    @Test
    void listingBounds_outside1970To9999_orEmpty_areRefused() {
        for (Instant bad : List.of(Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59Z"),
                T.plusNanos(1))) {
            assertThrows(IllegalArgumentException.class, () -> new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED,
                    Set.of(), Optional.of(bad), Optional.empty(), false), bad.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> new ResultQueries.Listing(ACME, ResultQueries.By.RECEIVED,
                Set.of(), Optional.of(T), Optional.of(T), false));
    }
}
