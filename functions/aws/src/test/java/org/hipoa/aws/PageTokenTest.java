package org.hipoa.aws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.hipoa.domain.Fixtures;

class PageTokenTest {

    @Test
    void token_roundTrips_andIsBoundToTheRequestedProvider() {
        var item = ResultItems.toItem(Fixtures.graded());
        String token = PageToken.encode(item);
        var key = PageToken.decode(token, "PROVIDER#other");
        assertEquals(item.get("pk"), key.get("pk"));
        assertEquals(item.get("gsi1sk"), key.get("gsi1sk"));
        assertEquals("PROVIDER#other", key.get("gsi1pk").s()); // never taken from the token
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "!!!", "bm90IGEgdG9rZW4", "UFJPVklERVIjb3RoZXI"})
    void foreignTokens_areInvalid(String token) {
        assertThrows(PageToken.InvalidTokenException.class, () -> PageToken.decode(token, "PROVIDER#acme"));
    }

    @Test
    void tokenCarryingAnotherPartition_isInvalid() {
        String smuggled = Base64.getUrlEncoder().encodeToString(
                ("PROVIDER#other#" + Fixtures.graded().sortKey()).getBytes(StandardCharsets.UTF_8));
        assertThrows(PageToken.InvalidTokenException.class, () -> PageToken.decode(smuggled, "PROVIDER#acme"));
    }
}
