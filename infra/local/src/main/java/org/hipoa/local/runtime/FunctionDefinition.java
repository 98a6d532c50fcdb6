package org.hipoa.local.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * One {@code AWS::Serverless::Function} of template.yaml as Lambda would configure it: Globals merged, the handler
 * string (for an image, its {@code ImageConfig.Command} or else the Dockerfile's CMD), memory, timeout, environment.
 *
 * @param logicalId           the resource name in the template ("ApiFunction")
 * @param packageType         zip or image
 * @param handler             the handler string the runtime gets ({@code _HANDLER}; class::method)
 * @param memoryMb            MemorySize (Lambda's default 128)
 * @param timeout             Timeout (Lambda's default 3 s)
 * @param environment         Globals' and the function's Environment.Variables, the function's winning
 * @param reservedConcurrency ReservedConcurrentExecutions, if set
 * @param codeUri             zip: the package CodeUri names, resolved against the template's folder
 * @param imageContext        image: the DockerContext folder, resolved against the template's folder
 */
public record FunctionDefinition(String logicalId, PackageType packageType, String handler, int memoryMb,
                                 Duration timeout, Map<String, TemplateValue> environment,
                                 OptionalInt reservedConcurrency, Path codeUri, Path imageContext) {

    public enum PackageType { ZIP, IMAGE }

    /** An environment value: a literal, or an intrinsic whose value only a deployment knows. */
    public sealed interface TemplateValue {
        record Literal(String value) implements TemplateValue {}

        /** {@code name} is "Ref", "Sub", "GetAtt", …; {@code text} the template's text, for messages. */
        record Intrinsic(String name, String text) implements TemplateValue {}
    }

    /**
     * Keys Lambda sets itself and refuses in a function's configuration ("Lambda was unable to configure your
     * environment variables because the environment variables you have provided contains reserved keys"); from the
     * developer guide's "Defined runtime environment variables".
     */
    public static final Set<String> RESERVED_KEYS = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION",
            "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ");

    public FunctionDefinition {
        Objects.requireNonNull(logicalId, "logicalId");
        Objects.requireNonNull(packageType, "packageType");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(reservedConcurrency, "reservedConcurrency");
        // Lambda's bounds (CreateFunction refuses others): 128-10240 MB, 1-900 s.
        if (memoryMb < 128 || memoryMb > 10240) {
            throw new IllegalArgumentException(logicalId + ": MemorySize " + memoryMb + " is outside 128-10240 MB");
        }
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofSeconds(900)) > 0) {
            throw new IllegalArgumentException(logicalId + ": Timeout " + timeout.toSeconds() + " is outside 1-900 s");
        }
        environment = Map.copyOf(environment);
        Set<String> reserved = new TreeSet<>(environment.keySet());
        reserved.retainAll(RESERVED_KEYS);
        if (!reserved.isEmpty()) {
            throw new IllegalArgumentException(logicalId + ": Environment.Variables sets reserved keys " + reserved
                    + " (Lambda refuses the configuration)");
        }
        if (packageType == PackageType.ZIP) Objects.requireNonNull(codeUri, "codeUri");
        else Objects.requireNonNull(imageContext, "imageContext");
    }

    /**
     * The variables the function's process gets: the template's literals, with {@code resolved} laid over them.
     * {@code resolved} must give every intrinsic-valued key (what {@code !Ref}/{@code !Sub} would become on
     * deployment) and may add keys the local stack needs (endpoints).
     *
     * @throws IllegalArgumentException naming the intrinsic keys left without a value, or a reserved key
     */
    public Map<String, String> environment(Map<String, String> resolved) {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> missing = new TreeSet<>();
        environment.forEach((k, v) -> {
            switch (v) {
                case TemplateValue.Literal l -> out.put(k, l.value());
                case TemplateValue.Intrinsic i -> {
                    if (!resolved.containsKey(k)) missing.add(k + " (!" + i.name() + " " + i.text() + ")");
                }
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(logicalId + ": no value given for " + String.join(", ", missing));
        }
        Set<String> reserved = new TreeSet<>(resolved.keySet());
        reserved.retainAll(RESERVED_KEYS);
        if (!reserved.isEmpty()) {
            throw new IllegalArgumentException(logicalId + ": " + reserved + " are reserved: Lambda sets them");
        }
        out.putAll(resolved);
        return out;
    }

    /** The keys whose value is an intrinsic ({@code !Ref}, {@code !Sub}, …): what a caller must resolve. */
    public List<String> intrinsicKeys() {
        return environment.entrySet().stream().filter(e -> e.getValue() instanceof TemplateValue.Intrinsic)
                .map(Map.Entry::getKey).sorted().toList();
    }
}
