package org.hipoa.domain.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.Fixtures;

class CropMessageTest {
    static CropMessage message(Optional<String> studyKey) {
        return new CropMessage(Fixtures.UPLOAD_ID, new Provider("acme-clinic"), studyKey, "work",
                CropNpy.key(Fixtures.UPLOAD_ID), 224,
                List.of(new CropMessage.Hip(Side.RIGHT, 101.25, 88.5, 1.0), new CropMessage.Hip(Side.LEFT, 260.5, 87.0, 0.625)),
                new ModelRef("hipoa-localiser", "1.0"), Map.of("decode", 120L, "crop", 7L),
                Optional.of(Fixtures.SPACING));
    }

    @Test
    void message_roundTripsThroughJson() {
        CropMessage m = message(Optional.of(Fixtures.STUDY_KEY));
        assertEquals(m, CropMessage.fromJson(m.toJson()));
        CropMessage noStudy = message(Optional.empty());
        assertEquals(noStudy, CropMessage.fromJson(noStudy.toJson()));
        assertFalse(noStudy.toJson().contains("studyKey"));
    }

    @Test
    void json_hasTheContractsShape() throws Exception {
        var n = new ObjectMapper().readTree(message(Optional.of(Fixtures.STUDY_KEY)).toJson());
        assertEquals("right", n.get("hips").get(0).get("side").asText());
        assertEquals(260.5, n.get("hips").get(1).get("centerMm").get(0).asDouble());
        assertEquals("crops/" + Fixtures.UPLOAD_ID + ".npy", n.get("cropsKey").asText());
        assertEquals(224, n.get("cropPx").asInt());
        assertEquals("hipoa-localiser", n.get("localiser").get("name").asText());
        assertEquals(120, n.get("preprocessTimingsMs").get("decode").asLong());
    }

    @Test
    void visibleFraction_travels_andAMessageWithoutIt_isAWholeCrop() throws Exception {
        CropMessage m = message(Optional.empty());
        var n = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(m.toJson());
        assertEquals(0.625, n.get("hips").get(1).get("visibleFraction").asDouble());
        for (var h : n.get("hips")) ((com.fasterxml.jackson.databind.node.ObjectNode) h).remove("visibleFraction");
        CropMessage old = CropMessage.fromJson(n.toString());
        assertEquals(1.0, old.left().visibleFraction());
        ((com.fasterxml.jackson.databind.node.ObjectNode) n.get("hips").get(0)).put("visibleFraction", "all");
        assertThrows(CropMessage.InvalidMessageException.class, () -> CropMessage.fromJson(n.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "[]", "{}", "not json",
            "{\"uploadId\":\"x\",\"provider\":\"acme\",\"cropsBucket\":\"w\",\"cropsKey\":\"k\",\"cropPx\":224,"
                    + "\"hips\":[],\"localiser\":{\"name\":\"l\",\"version\":\"1\"}}"})
    void garbage_isAnInvalidMessage(String body) {
        assertThrows(CropMessage.InvalidMessageException.class, () -> CropMessage.fromJson(body));
    }

    @Test
    void swappedSides_areRefused() {
        String json = message(Optional.empty()).toJson().replace("\"right\"", "\"tmp\"").replace("\"left\"", "\"right\"")
                .replace("\"tmp\"", "\"left\"");
        assertThrows(CropMessage.InvalidMessageException.class, () -> CropMessage.fromJson(json));
    }

    @Test
    void badProviderOrIds_areRefused() {
        String json = message(Optional.empty()).toJson();
        assertThrows(CropMessage.InvalidMessageException.class,
                () -> CropMessage.fromJson(json.replace("acme-clinic", "ACME")));
        assertThrows(CropMessage.InvalidMessageException.class,
                () -> CropMessage.fromJson(json.replace("\"uploadId\":\"" + Fixtures.UPLOAD_ID, "\"uploadId\":\"../x")));
    }
}
