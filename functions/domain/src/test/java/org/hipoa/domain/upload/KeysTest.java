package org.hipoa.domain.upload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysTest {
    static final String SECRET = "0123456789abcdef-secret";
    static final String UID = "1.2.840.113619.2.55.3";
    final Keys keys = new Keys(SECRET);

    @Test
    void uploadId_isTheContractsHmac_asPythonComputesIt() {
        // python3: hmac.new(SECRET, b"hipoa-incoming\nincoming/acme-clinic/a b.dcm\nv1", sha256).hexdigest()[:32]
        assertEquals("d134e0384b2b4d774b68f1660bf6c25b", keys.uploadId("hipoa-incoming", "incoming/acme-clinic/a b.dcm", "v1"));
    }

    @Test
    void studyKey_isTheContractsHmac_asPythonComputesIt() {
        assertEquals("12395e91adf135093567bf9c0aaf5f63", keys.studyKey(UID));
    }

    @Test
    void keys_areStableAndLookLikeIds() {
        String a = keys.uploadId("b", "incoming/acme/x.dcm", "etag");
        assertEquals(a, new Keys(SECRET).uploadId("b", "incoming/acme/x.dcm", "etag"));
        assertTrue(Keys.isId(a));
        assertTrue(Keys.isId(keys.studyKey(UID)));
    }

    @Test
    void keys_dependOnTheSecret() {
        Keys other = new Keys(SECRET + "!");
        assertNotEquals(keys.studyKey(UID), other.studyKey(UID));
        assertNotEquals(keys.uploadId("b", "k", "v"), other.uploadId("b", "k", "v"));
    }

    @Test
    void everyObjectVersion_isItsOwnUpload() {
        assertNotEquals(keys.uploadId("b", "k", "v1"), keys.uploadId("b", "k", "v2"));
        assertNotEquals(keys.uploadId("b", "k", "v"), keys.uploadId("b2", "k", "v"));
        // The separator keeps field boundaries: ("ab", "c") is not ("a", "bc").
        assertNotEquals(keys.uploadId("ab", "c", "v"), keys.uploadId("a", "bc", "v"));
    }

    @Test
    void studyKey_carriesNoPartOfTheUid() {
        String key = keys.studyKey(UID);
        for (String part : UID.split("\\.")) {
            if (part.length() >= 3) assertFalse(key.contains(part), part);
        }
    }

    @Test
    void studyKey_ignoresDicomPadding() {
        assertEquals(keys.studyKey(UID), keys.studyKey(UID + "\0"));
        assertEquals(keys.studyKey(UID), keys.studyKey(" " + UID + " "));
        assertThrows(IllegalArgumentException.class, () -> keys.studyKey("\0"));
    }

    @Test
    void shortSecret_isRefused_andNeverPrinted() {
        assertThrows(IllegalArgumentException.class, () -> new Keys("short"));
        assertFalse(keys.toString().contains(SECRET));
    }
}
