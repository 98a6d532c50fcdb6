package org.hipoa.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Settings;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.Provider;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The "graded" message from inference to the export function: {@code {"uploadId","provider"}} and nothing else —
 * no key, no UID, no patient attribute; the export function reads the rest from the table and the source object.
 */
public final class GradedEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One graded upload. */
    public record Graded(String uploadId, String provider) {
        public Graded {
            if (!Keys.isId(uploadId)) throw new IllegalArgumentException("uploadId must be 32 hex characters");
            provider = new Provider(provider).name(); // throws on a name that is no provider
        }

        public String toJson() {
            return JSON.createObjectNode().put("uploadId", uploadId).put("provider", provider).toString();
        }

        /** @throws IllegalArgumentException when the body is no graded message */
        public static Graded fromJson(String body) {
            try {
                JsonNode n = JSON.readTree(body == null ? "" : body);
                if (n == null || !n.path("uploadId").isTextual() || !n.path("provider").isTextual()) {
                    throw new IllegalArgumentException("not a graded message");
                }
                return new Graded(n.get("uploadId").asText(), n.get("provider").asText());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("not a graded message");
            }
        }
    }

    private final Supplier<SqsClient> sqs;
    private final String queueUrl;
    private SqsClient client;

    public GradedEvents(Supplier<SqsClient> sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    }

    /** From {@link PipelineConfig#EXPORT_QUEUE_URL}; empty when it is not set (no export in this deployment). */
    public static Optional<GradedEvents> fromEnvironment() {
        return Settings.get(PipelineConfig.EXPORT_QUEUE_URL)
                .map(url -> new GradedEvents(AwsClients::sqs, url));
    }

    /** Sends one message; an SDK error is thrown (transient for the caller: its message is redelivered). */
    public void send(String uploadId, Provider provider) {
        String body = new Graded(uploadId, provider.name()).toJson();
        client().sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
    }

    private synchronized SqsClient client() {
        if (client == null) client = sqs.get();
        return client;
    }
}
