package org.hipoa.domain.upload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UploadRefTest {

    @Test
    void ingestKey_namesTheProvider() {
        UploadRef r = UploadRef.fromEvent("in", "incoming/acme-clinic/2026/01/film.dcm", "v7", "etag");
        assertEquals(Optional.of(new Provider("acme-clinic")), r.provider());
        assertEquals("incoming/acme-clinic/2026/01/film.dcm", r.objectKey());
        assertEquals("v7", r.objectVersion());
    }

    @Test
    void backfillKey_namesTheProvider_theSameRulesApply() {
        assertEquals(Optional.of(new Provider("acme-clinic")),
                UploadRef.fromEvent("in", "backfill/acme-clinic/archive/film.dcm", null, "e").provider());
        assertTrue(UploadRef.providerOf("backfill/acme/../other/film.dcm").isEmpty());
        assertTrue(UploadRef.providerOf("backfill/film.dcm").isEmpty());
        assertTrue(UploadRef.providerOf("backfilled/acme/film.dcm").isEmpty());
    }

    @Test
    void eventKey_isUrlDecoded_plusIsSpace() {
        UploadRef r = UploadRef.fromEvent("in", "incoming/acme-clinic/r%C3%B6ntgen+1%2B2.dcm", null, "etag");
        assertEquals("incoming/acme-clinic/röntgen 1+2.dcm", r.objectKey());
        assertEquals(Optional.of(new Provider("acme-clinic")), r.provider());
    }

    @Test
    void unversionedBucket_usesTheETag() {
        UploadRef r = UploadRef.fromEvent("in", "incoming/acme/x.dcm", "", "0123abcd");
        assertEquals(Optional.empty(), r.versionId());
        assertEquals("0123abcd", r.objectVersion());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "film.dcm",                           // not under incoming/
            "outgoing/acme/film.dcm",
            "incoming/film.dcm",                  // no provider segment
            "incoming/acme/",                     // a folder marker
            "incoming/acme/scans/",
            "incoming//film.dcm",
            "incoming/a/film.dcm",                // provider too short
            "incoming/Acme/film.dcm",             // upper case
            "incoming/-acme/film.dcm",            // must start with a letter or digit
            "incoming/acme_clinic/film.dcm",
            "incoming/acme/../other/film.dcm",    // traversal-looking segments
            "incoming/acme/./film.dcm",
            "incoming/acme//film.dcm",
            "incoming/acme%2F..%2Fother/x.dcm",   // encoded traversal inside the provider segment
            "incoming/acme/%00film.dcm",          // control character
            "incoming/acme/a%0Ab.dcm",
            "incoming/acme/bad%ZZescape.dcm",     // undecodable
            "incoming/acme/%E0%A4%A.dcm",         // truncated escape
            "incoming/acme/%C3%28.dcm",           // invalid UTF-8
            "incoming/acme\\film.dcm",
    })
    void hostileOrMalformedKeys_haveNoProvider(String key) {
        assertTrue(UploadRef.fromEvent("in", key, null, "e").provider().isEmpty(), key);
    }

    @Test
    void overlongKey_hasNoProvider() {
        String key = "incoming/acme/" + "x".repeat(UploadRef.MAX_KEY_BYTES);
        assertTrue(UploadRef.fromEvent("in", key, null, "e").provider().isEmpty());
    }

    @Test
    void providerNames_atTheLengthLimits() {
        assertTrue(UploadRef.providerOf("incoming/ab/x").isPresent());
        assertTrue(UploadRef.providerOf("incoming/" + "a".repeat(63) + "/x").isPresent());
        assertTrue(UploadRef.providerOf("incoming/" + "a".repeat(64) + "/x").isEmpty());
    }

    @Test
    void undecodableKey_isKeptAsItCame() {
        assertEquals("incoming/acme/bad%ZZ.dcm", UploadRef.fromEvent("in", "incoming/acme/bad%ZZ.dcm", null, "e").objectKey());
    }
}
