package org.hipoa.domain.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.domain.HipCrop;
import org.hipoa.domain.Side;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.hipoa.domain.upload.Provider;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.result.HipResultJson;
import org.hipoa.domain.result.ModelRef;
import org.hipoa.domain.result.Spacing;

/**
 * The claim-check message from preprocess to inference (docs/PIPELINE.md):
 * {@code {"uploadId","provider","studyKey","cropsBucket","cropsKey","cropPx","hips":[{"side","centerMm","visibleFraction"}],
 * "localiser":{"name","version"},"preprocessTimingsMs":{…},"spacing":{"source","assumed"}}}. {@code studyKey} is omitted when the file had no
 * StudyInstanceUID. No object key, UID or patient data travels in it.
 */
public record CropMessage(String uploadId, Provider provider, Optional<String> studyKey, String cropsBucket,
                          String cropsKey, int cropPx, List<Hip> hips, ModelRef localiser,
                          Map<String, Long> preprocessTimingsMs, Optional<Spacing> spacing) {

    /** Where a hip was cropped, in image mm, and the share of its crop's square on the film ({@link HipCrop}). */
    public record Hip(Side side, double centerXmm, double centerYmm, double visibleFraction) {
        public Hip {
            Objects.requireNonNull(side, "side");
            if (!Double.isFinite(centerXmm) || !Double.isFinite(centerYmm)) throw new IllegalArgumentException("centre");
            if (!(visibleFraction >= 0 && visibleFraction <= 1)) throw new IllegalArgumentException("visibleFraction");
        }

        public static Hip of(HipCrop c) {
            return new Hip(c.side(), c.centerXmm(), c.centerYmm(), c.visibleFraction());
        }
    }

    /** The message body is not a claim-check message (permanent: redelivery cannot fix it). */
    public static final class InvalidMessageException extends IllegalArgumentException {
        public InvalidMessageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public CropMessage {
        if (!Keys.isId(uploadId)) throw new IllegalArgumentException("uploadId");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(studyKey, "studyKey");
        studyKey.ifPresent(k -> {
            if (!Keys.isId(k)) throw new IllegalArgumentException("studyKey");
        });
        Objects.requireNonNull(cropsBucket, "cropsBucket");
        Objects.requireNonNull(cropsKey, "cropsKey");
        if (cropPx < 8 || cropPx > CropNpy.MAX_SIZE) throw new IllegalArgumentException("cropPx");
        hips = List.copyOf(hips);
        if (hips.size() != 2 || hips.get(0).side() != Side.RIGHT || hips.get(1).side() != Side.LEFT) {
            throw new IllegalArgumentException("hips must be right, then left");
        }
        Objects.requireNonNull(localiser, "localiser");
        preprocessTimingsMs = Map.copyOf(preprocessTimingsMs);
        Objects.requireNonNull(spacing, "spacing");
    }

    public Hip right() {
        return hips.get(0);
    }

    public Hip left() {
        return hips.get(1);
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode().put("uploadId", uploadId).put("provider", provider.name());
        studyKey.ifPresent(k -> n.put("studyKey", k));
        n.put("cropsBucket", cropsBucket).put("cropsKey", cropsKey).put("cropPx", cropPx);
        var hipArray = n.putArray("hips");
        for (Hip h : hips) {
            ObjectNode hip = hipArray.addObject().put("side", h.side().key());
            hip.putArray("centerMm").add(h.centerXmm()).add(h.centerYmm());
            hip.put("visibleFraction", h.visibleFraction());
        }
        n.putObject("localiser").put("name", localiser.name()).put("version", localiser.version());
        ObjectNode t = n.putObject("preprocessTimingsMs");
        new java.util.TreeMap<>(preprocessTimingsMs).forEach(t::put);
        spacing.ifPresent(x -> n.set("spacing", HipResultJson.spacing(x)));
        return n.toString();
    }

    /** @throws InvalidMessageException when {@code body} is not a valid claim-check message */
    public static CropMessage fromJson(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
            List<Hip> hips = new ArrayList<>();
            for (JsonNode h : required(n, "hips")) {
                JsonNode c = required(h, "centerMm");
                if (c.size() != 2 || !c.get(0).isNumber() || !c.get(1).isNumber()) {
                    throw new IllegalArgumentException("centerMm must be [x, y]");
                }
                // Absent in messages from before it was carried: those crops were graded whole, as then.
                JsonNode v = h.get("visibleFraction");
                if (v != null && !v.isNumber()) throw new IllegalArgumentException("visibleFraction must be a number");
                hips.add(new Hip(side(text(h, "side")), c.get(0).asDouble(), c.get(1).asDouble(),
                        v == null ? 1.0 : v.asDouble()));
            }
            JsonNode l = required(n, "localiser");
            Map<String, Long> timings = new LinkedHashMap<>();
            JsonNode t = n.get("preprocessTimingsMs");
            if (t != null && t.isObject()) t.properties().forEach(e -> timings.put(e.getKey(), e.getValue().asLong()));
            // Absent in messages from before the spacing was carried; such a result just does not say.
            JsonNode sp = n.get("spacing");
            Optional<Spacing> spacing = sp == null || sp.isNull() ? Optional.empty()
                    : Optional.of(new Spacing(text(sp, "source"), required(sp, "assumed").asBoolean()));
            JsonNode px = required(n, "cropPx");
            if (!px.canConvertToInt()) throw new IllegalArgumentException("cropPx");
            return new CropMessage(text(n, "uploadId"), new Provider(text(n, "provider")),
                    Optional.ofNullable(n.get("studyKey")).filter(JsonNode::isTextual).map(JsonNode::asText),
                    text(n, "cropsBucket"), text(n, "cropsKey"), px.asInt(), hips,
                    new ModelRef(text(l, "name"), text(l, "version")), timings, spacing);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new InvalidMessageException("not a claim-check message: " + e.getMessage(), e);
        }
    }

    private static Side side(String key) {
        return switch (key) {
            case "right" -> Side.RIGHT;
            case "left" -> Side.LEFT;
            default -> throw new IllegalArgumentException("side " + key);
        };
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("no " + field);
        return v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = required(n, field);
        if (!v.isTextual()) throw new IllegalArgumentException(field + " must be a string");
        return v.asText();
    }
}
