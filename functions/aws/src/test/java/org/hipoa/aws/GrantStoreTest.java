package org.hipoa.aws;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The grant item's id is what README's operator command computes; the key itself is never in it. */
class GrantStoreTest {
    @Test
    void keyId_isTheFirst32HexOfSha256_asSha256sumPrints() {
        // printf %s abc | sha256sum → ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assertEquals("ba7816bf8f01cfea414140de5dae2223", GrantStore.keyId("abc"));
        assertEquals("APIKEY#ba7816bf8f01cfea414140de5dae2223", GrantStore.pk("abc"));
    }

    @Test
    void theKeyNeverAppearsInTheItemKey() {
        String key = "EXAMPLEpartnerKEY0123456789abcdefGHIJKL";
        assertFalse(GrantStore.pk(key).contains(key.substring(0, 12)));
    }
}
