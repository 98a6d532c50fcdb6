package org.hipoa.local.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the local stack takes from template.yaml, so that no number of the template is copied into Java: each
 * function's handler, memory, timeout, reserved concurrency, role and SQS event; each queue's visibility, retention
 * and redrive. A value the template writes as a parameter reference resolves to the parameter's default.
 *
 * <p>Jackson's YAML reader drops CloudFormation's short-form tags, which is enough here: {@code !GetAtt X.Arn} reads
 * as {@code "X.Arn"} and {@code !Ref X} as {@code "X"}, and these fields only ever name a resource or a parameter.
 */
public final class StackTemplate {
    /** A function of the template (AWS::Serverless::Function). */
    public record Function(String logicalId, String handler, int memoryMb, Duration timeout,
                           OptionalInt reservedConcurrency, String role, Optional<SqsEvent> sqsEvent) {
        /** The handler's class: the part of Lambda's handler string before {@code ::}. */
        public String handlerClass() {
            int i = handler.indexOf("::");
            return i < 0 ? handler : handler.substring(0, i);
        }
    }

    /** A function's SQS event source mapping. */
    public record SqsEvent(String queue, int batchSize, Duration batchWindow, int maximumConcurrency,
                           boolean reportBatchItemFailures) {}

    /** An AWS::SQS::Queue. */
    public record Queue(String logicalId, Duration visibilityTimeout, Duration retention, Optional<String> deadLetter,
                        int maxReceiveCount, boolean kmsEncrypted) {}

    private static final Duration SQS_DEFAULT_VISIBILITY = Duration.ofSeconds(30);
    private static final Duration SQS_DEFAULT_RETENTION = Duration.ofDays(4);
    private static final Pattern DOCKER_CMD = Pattern.compile("(?m)^CMD\\s*\\[\\s*\"([^\"]+)\"");

    private final Path root;
    private final JsonNode template;

    private StackTemplate(Path root, JsonNode template) {
        this.root = root;
        this.template = template;
    }

    /** template.yaml of this checkout. */
    public static StackTemplate read(Path repositoryRoot) {
        try {
            JsonNode t = new ObjectMapper(new YAMLFactory())
                    .readTree(Files.readString(repositoryRoot.resolve("template.yaml")));
            return new StackTemplate(repositoryRoot, t);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template.yaml: " + e.getMessage(), e);
        }
    }

    /** The whole template as Jackson reads it (short-form tags dropped). */
    public JsonNode tree() {
        return template;
    }

    public Function function(String logicalId) {
        JsonNode p = resource(logicalId, "AWS::Serverless::Function").path("Properties");
        JsonNode globals = template.path("Globals").path("Function");
        String handler = p.path("Handler").asText("");
        if (handler.isEmpty()) handler = imageCommand(logicalId, p);
        int memory = p.path("MemorySize").asInt(globals.path("MemorySize").asInt(128));
        int timeout = p.path("Timeout").asInt(globals.path("Timeout").asInt(3));
        JsonNode reserved = p.path("ReservedConcurrentExecutions");
        OptionalInt rc = reserved.isMissingNode() ? OptionalInt.empty() : OptionalInt.of(number(reserved));
        String role = logicalIdOf(p.path("Role").asText(""));
        Optional<SqsEvent> sqs = Optional.empty();
        for (JsonNode e : p.path("Events")) {
            if (!"SQS".equals(e.path("Type").asText())) continue;
            JsonNode s = e.path("Properties");
            boolean partial = false;
            for (JsonNode t : s.path("FunctionResponseTypes")) partial |= "ReportBatchItemFailures".equals(t.asText());
            sqs = Optional.of(new SqsEvent(logicalIdOf(s.path("Queue").asText()), s.path("BatchSize").asInt(10),
                    Duration.ofSeconds(s.path("MaximumBatchingWindowInSeconds").asLong(0)),
                    s.path("ScalingConfig").path("MaximumConcurrency").asInt(1000), partial));
        }
        return new Function(logicalId, handler, memory, Duration.ofSeconds(timeout), rc, role, sqs);
    }

    /** Every function of the template, in template order. */
    public List<Function> functions() {
        List<Function> out = new ArrayList<>();
        template.path("Resources").properties().forEach(e -> {
            if ("AWS::Serverless::Function".equals(e.getValue().path("Type").asText())) out.add(function(e.getKey()));
        });
        return out;
    }

    public Queue queue(String logicalId) {
        JsonNode p = resource(logicalId, "AWS::SQS::Queue").path("Properties");
        JsonNode redrive = p.path("RedrivePolicy");
        Optional<String> dlq = redrive.isMissingNode() ? Optional.empty()
                : Optional.of(logicalIdOf(redrive.path("deadLetterTargetArn").asText()));
        int maxReceive = redrive.isMissingNode() ? 0 : number(redrive.path("maxReceiveCount"));
        Duration visibility = p.has("VisibilityTimeout") ? Duration.ofSeconds(number(p.get("VisibilityTimeout")))
                : SQS_DEFAULT_VISIBILITY;
        Duration retention = p.has("MessageRetentionPeriod")
                ? Duration.ofSeconds(number(p.get("MessageRetentionPeriod"))) : SQS_DEFAULT_RETENTION;
        return new Queue(logicalId, visibility, retention, dlq, maxReceive, p.has("KmsMasterKeyId"));
    }

    /** A parameter's default, as CloudFormation uses it when the deployment gives none. */
    public String parameterDefault(String name) {
        JsonNode d = template.path("Parameters").path(name).path("Default");
        if (d.isMissingNode()) throw new IllegalArgumentException("template.yaml: parameter " + name + " has no default");
        return d.asText();
    }

    /** Environment variables as written (Globals first, the function's over them); values are unresolved. */
    public Map<String, JsonNode> environment(String functionLogicalId) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        template.path("Globals").path("Function").path("Environment").path("Variables").properties()
                .forEach(e -> env.put(e.getKey(), e.getValue()));
        resource(functionLogicalId, "AWS::Serverless::Function").path("Properties").path("Environment")
                .path("Variables").properties().forEach(e -> env.put(e.getKey(), e.getValue()));
        return env;
    }

    private JsonNode resource(String logicalId, String type) {
        JsonNode r = template.path("Resources").path(logicalId);
        if (!type.equals(r.path("Type").asText())) {
            throw new IllegalArgumentException("template.yaml has no " + type + " named " + logicalId);
        }
        return r;
    }

    /** A number written literally or as a parameter reference ({@code !Ref MaxReceiveCount}). */
    private int number(JsonNode n) {
        if (n.isNumber()) return n.asInt();
        String s = n.asText();
        if (s.matches("\\d+")) return Integer.parseInt(s);
        return Integer.parseInt(parameterDefault(s));
    }

    /** {@code "X.Arn"} (a dropped !GetAtt) or {@code "X"} (a dropped !Ref) → X. */
    public static String logicalIdOf(String reference) {
        int dot = reference.indexOf('.');
        return dot < 0 ? reference : reference.substring(0, dot);
    }

    /**
     * An image function's handler: its ImageConfig.Command, else the image's CMD (InferenceFunction takes the
     * Dockerfile's own).
     */
    private String imageCommand(String logicalId, JsonNode p) {
        JsonNode cmd = p.path("ImageConfig").path("Command");
        if (cmd.isArray() && !cmd.isEmpty()) return cmd.get(0).asText();
        JsonNode meta = template.path("Resources").path(logicalId).path("Metadata");
        Path dockerfile = root.resolve(meta.path("DockerContext").asText(".")).resolve(meta.path("Dockerfile")
                .asText("Dockerfile"));
        String target = meta.path("DockerBuildTarget").asText("");
        try {
            String text = Files.readString(dockerfile);
            if (!target.isEmpty()) { // the build target's stage only: from its FROM to the next FROM
                Matcher stage = Pattern.compile("(?im)^FROM\\s+\\S+\\s+AS\\s+" + Pattern.quote(target) + "\\s*$")
                        .matcher(text);
                if (!stage.find()) throw new IllegalStateException(dockerfile + " has no stage " + target);
                text = text.substring(stage.end());
                int next = Pattern.compile("(?im)^FROM\\s").matcher(text).results().findFirst()
                        .map(java.util.regex.MatchResult::start).orElse(text.length());
                text = text.substring(0, next);
            }
            Matcher m = DOCKER_CMD.matcher(text);
            String last = null;
            while (m.find()) last = m.group(1);
            if (last == null) throw new IllegalStateException(dockerfile + " has no CMD for " + logicalId);
            return last;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dockerfile, e);
        }
    }
}
