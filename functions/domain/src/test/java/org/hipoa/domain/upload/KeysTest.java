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

    @Test
    void hkdf_isRfc5869_testCase1() {
        // RFC 5869 A.1: IKM 22 x 0x0b, salt 0x00..0x0c, info 0xf0..0xf9; its OKM's first 32 bytes are T(1).
        byte[] ikm = new byte[22];
        java.util.Arrays.fill(ikm, (byte) 0x0b);
        byte[] salt = new byte[13], info = new byte[10];
        for (int i = 0; i < salt.length; i++) salt[i] = (byte) i;
        for (int i = 0; i < info.length; i++) info[i] = (byte) (0xf0 + i);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf",
                java.util.HexFormat.of().formatHex(Keys.hkdfSha256(salt, ikm, info)));
    }

    @Test
    void sealedObjectKey_opensOnlyForItsUploadUnderItsSecret_andShowsNoneOfTheKey() {
        String key = "incoming/acme/SMITH^JOHN_12345.dcm";
        String id = keys.uploadId("b", key, "v1");
        String sealed = keys.sealObjectKey(id, key);
        assertTrue(sealed.startsWith(Keys.SEALED_PREFIX) && sealed.matches("v1\\.[A-Za-z0-9_-]+"), sealed);
        assertFalse(sealed.contains("SMITH") || sealed.contains("12345") || sealed.contains("acme"), sealed);
        assertEquals(key, keys.openObjectKey(id, sealed));
        assertEquals(key, new Keys(SECRET).openObjectKey(id, sealed));
        assertNotEquals(sealed, keys.sealObjectKey(id, key), "a fresh nonce per seal");
        String otherId = keys.uploadId("b", key, "v2");
        assertThrows(IllegalArgumentException.class, () -> keys.openObjectKey(otherId, sealed));
        assertThrows(IllegalArgumentException.class, () -> new Keys(SECRET + "!").openObjectKey(id, sealed));
        // One character in the ciphertext (the last one may hold only base64's unused bits).
        int at = sealed.length() - 5;
        String tampered = sealed.substring(0, at) + (sealed.charAt(at) == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
        assertThrows(IllegalArgumentException.class, () -> keys.openObjectKey(id, tampered));
        assertThrows(IllegalArgumentException.class, () -> keys.openObjectKey(id, key));
        assertThrows(IllegalArgumentException.class, () -> keys.openObjectKey(id, "v1.!!"));
        assertThrows(IllegalArgumentException.class, () -> keys.openObjectKey(id, "v1.AAAA"));
    }
}
