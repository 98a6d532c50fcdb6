package org.hipoa.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.api.ApiContract;
import org.hipoa.dicom.OversizedValues;
import org.hipoa.dicom.TransferSyntaxes;
import org.hipoa.phantom.PhantomFilm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text a file controls, far past what its VR allows, through the whole local stack: a 64 KB Transfer Syntax UID of
 * control bytes, and 50,000-character Photometric Interpretation, Body Part Examined and View Position values of
 * letters, control bytes and Latin-1 letters (PixelMed refuses a value whose length says more than 64 KB). Quoted
 * into the failure message, each made an item of 60 to 200 KB and a listing entry of up to 6x that in JSON (a
 * control byte is six characters escaped). Each must end FAILED within seconds with its reason and a message under
 * 1 KB, the listing stays small, and every answer validates against the partner contract.
 */
class OversizedFileTextTest {
    static final String PROVIDER = "oversized-text";
    static final int HUGE = 50_000;

    @Test
    void oversizedTextValues_endFailedWithABoundedMessage_inSeconds(@TempDir Path tmp) throws Exception {
        Path films = Files.createDirectories(tmp.resolve("films"));
        Map<String, byte[]> uploads = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        byte[] explicit = Files.readAllBytes(film(films, 1));
        uploads.put("uid.dcm", OversizedValues.withTransferSyntax(explicit, OversizedValues.hugeUid()));
        reasons.put("uid.dcm", "UNSUPPORTED_TRANSFER_SYNTAX");
        uploads.put("photometric.dcm", with(film(films, 2), TagFromName.PhotometricInterpretation,
                huge('P'), tmp));
        reasons.put("photometric.dcm", "UNSUPPORTED_PHOTOMETRIC");
        uploads.put("body-part.dcm", with(film(films, 3), TagFromName.BodyPartExamined, huge('B'), tmp));
        reasons.put("body-part.dcm", "NOT_AP_PELVIS");
        uploads.put("view.dcm", with(film(films, 4), TagFromName.ViewPosition, huge('V'), tmp));
        reasons.put("view.dcm", "NOT_AP_PELVIS");

        try (EmbeddedAws aws = EmbeddedAws.builder().blobStoreDir(tmp.resolve("s3")).start()) {
            aws.grantApiKey(Set.of(PROVIDER));
            LocalApiClient api = new LocalApiClient(aws.apiBaseUrl(), aws.apiKey()).observing(x ->
                    ApiContract.assertValid(x.method(), x.pathAndQuery(), x.status(), x.headers(), x.body()));
            long t0 = System.nanoTime();
            for (Map.Entry<String, byte[]> u : uploads.entrySet()) {
                aws.upload("incoming/" + PROVIDER + "/" + u.getKey(), RequestBody.fromBytes(u.getValue()));
            }
            List<JsonNode> results = awaitFailed(api, uploads.size(), Duration.ofSeconds(60));
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Integer> seen = new java.util.TreeMap<>();
            StringBuilder messages = new StringBuilder();
            for (JsonNode r : results) {
                String reason = r.path("failure").path("reason").asText();
                String message = r.path("failure").path("message").asText();
                seen.merge(reason, 1, Integer::sum);
                messages.append(reason).append(": ").append(message, 0, Math.min(message.length(), 300)).append('\n');
            }
            assertEquals(Map.of("UNSUPPORTED_TRANSFER_SYNTAX", 1, "UNSUPPORTED_PHOTOMETRIC", 1, "NOT_AP_PELVIS", 2),
                    seen, messages.toString());
            for (JsonNode r : results) {
                String reason = r.path("failure").path("reason").asText();
                String message = r.path("failure").path("message").asText();
                assertTrue(message.getBytes(StandardCharsets.UTF_8).length < 1024, reason + ": " + message.length());
                assertTrue(message.chars().noneMatch(Character::isISOControl), reason + ": " + message);
                assertTrue(!message.contains("PPPP") && !message.contains("BBBB") && !message.contains("VVVV"),
                        message);
            }
            LocalApiClient.Response listing = api.get("/v1/providers/" + PROVIDER + "/results");
            assertTrue(listing.body().toString().length() < 8 * 1024, "listing of 4: " + listing.body().toString()
                    .length() + " characters");
            System.out.printf("[OversizedFileTextTest] %d uploads FAILED in %.1f s; listing %d characters%n",
                    results.size(), seconds, listing.body().toString().length());
        }
    }

    /** Runs of one letter with a control byte and a Latin-1 letter between, {@link #HUGE} characters. */
    static String huge(char letter) {
        StringBuilder b = new StringBuilder(HUGE);
        while (b.length() < HUGE) b.append(letter).append(letter).append(letter).append(letter).append('\u0001')
                .append('\u00C9');
        return b.toString();
    }

    static Path film(Path dir, int index) throws Exception {
        return PhantomFilm.write(20261207L, index, TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, dir).file();
    }

    /** The film with {@code tag} set to {@code value}. */
    static byte[] with(Path film, AttributeTag tag, String value, Path tmp) throws Exception {
        AttributeList l = new AttributeList();
        l.read(film.toFile());
        Attribute a = l.get(tag);
        assertTrue(a != null, "the phantom writes " + tag);
        a.removeValues();
        a.addValue(value);
        Path out = tmp.resolve("with-" + tag.getElement() + ".dcm");
        l.write(out.toFile(), TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN, true, true);
        return Files.readAllBytes(out);
    }

    static List<JsonNode> awaitFailed(LocalApiClient api, int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> last = List.of();
        while (System.nanoTime() < deadline) {
            last = api.providerResults(PROVIDER);
            if (last.size() == n && last.stream().allMatch(r -> r.path("status").asText().equals("FAILED"))) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not all " + n + " FAILED within " + timeout.toSeconds() + " s: "
                + last.stream().map(r -> r.path("status").asText()).toList());
    }
}
