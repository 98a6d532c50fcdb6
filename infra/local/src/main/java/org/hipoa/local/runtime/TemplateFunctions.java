package org.hipoa.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.local.runtime.FunctionDefinition.PackageType;
import org.hipoa.local.runtime.FunctionDefinition.TemplateValue;
import org.hipoa.local.runtime.TemplateYaml.Mapping;
import org.hipoa.local.runtime.TemplateYaml.Node;
import org.hipoa.local.runtime.TemplateYaml.Scalar;
import org.hipoa.local.runtime.TemplateYaml.Seq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The functions of a SAM template, read the way SAM and Lambda read them: {@code Globals.Function} under each
 * function's own properties (Environment.Variables merged key by key), Lambda's defaults where neither says
 * (128 MB, 3 s), and for {@code PackageType: Image} the handler from {@code ImageConfig.Command} or else the CMD of
 * the Dockerfile stage the function's Metadata builds.
 */
public final class TemplateFunctions {
    private static final int DEFAULT_MEMORY_MB = 128;
    private static final int DEFAULT_TIMEOUT_S = 3;

    private final Path template;
    private final Mapping globals;
    private final Map<String, Mapping> functions = new LinkedHashMap<>();

    private TemplateFunctions(Path template, Mapping root) {
        this.template = template;
        this.globals = root.mapping("Globals").flatMap(g -> g.mapping("Function"))
                .orElse(new Mapping(null, Map.of()));
        root.mapping("Resources").orElseThrow(() -> new IllegalArgumentException(template + " has no Resources"))
                .fields().forEach((id, node) -> {
                    if (node instanceof Mapping r && r.get("Type").filter(t -> t instanceof Scalar s
                            && "AWS::Serverless::Function".equals(s.value())).isPresent()) {
                        functions.put(id, r);
                    }
                });
    }

    public static TemplateFunctions load(Path templateYaml) {
        Path t = templateYaml.toAbsolutePath().normalize();
        return new TemplateFunctions(t, TemplateYaml.read(t));
    }

    /** The logical ids of the template's functions, in template order. */
    public List<String> names() {
        return List.copyOf(functions.keySet());
    }

    /** @throws IllegalArgumentException for an unknown function or a setting this reader cannot take literally */
    public FunctionDefinition function(String logicalId) {
        Mapping resource = functions.get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException(template.getFileName() + " has no function " + logicalId
                    + " (functions: " + names() + ")");
        }
        Mapping props = resource.mapping("Properties").orElse(new Mapping(null, Map.of()));
        Mapping metadata = resource.mapping("Metadata").orElse(new Mapping(null, Map.of()));
        Path base = template.getParent();
        boolean image = literal(logicalId, props, "PackageType").map("Image"::equals).orElse(false);
        int memory = integer(logicalId, "MemorySize", props).orElse(DEFAULT_MEMORY_MB);
        int timeout = integer(logicalId, "Timeout", props).orElse(DEFAULT_TIMEOUT_S);
        OptionalInt reserved = integer(logicalId, "ReservedConcurrentExecutions", props)
                .map(OptionalInt::of).orElse(OptionalInt.empty());
        Map<String, TemplateValue> env = new LinkedHashMap<>(variables(globals));
        env.putAll(variables(props));
        if (image) {
            Path context = base.resolve(literal(logicalId, metadata, "DockerContext").orElseThrow(
                    () -> new IllegalArgumentException(logicalId + ": an Image function needs Metadata.DockerContext")))
                    .normalize();
            String handler = imageCommand(logicalId, props).orElseGet(() -> dockerfileCmd(logicalId,
                    context.resolve(literal(logicalId, metadata, "Dockerfile").orElse("Dockerfile")),
                    literal(logicalId, metadata, "DockerBuildTarget").orElse(null)));
            return new FunctionDefinition(logicalId, PackageType.IMAGE, handler, memory, Duration.ofSeconds(timeout),
                    env, reserved, null, context);
        }
        String handler = literal(logicalId, props, "Handler").or(() -> literal(logicalId, globals, "Handler"))
                .orElseThrow(() -> new IllegalArgumentException(logicalId + ": a zip function needs a Handler"));
        Path codeUri = base.resolve(literal(logicalId, props, "CodeUri").or(() -> literal(logicalId, globals, "CodeUri"))
                .orElseThrow(() -> new IllegalArgumentException(logicalId + ": a zip function needs a CodeUri")))
                .normalize();
        return new FunctionDefinition(logicalId, PackageType.ZIP, handler, memory, Duration.ofSeconds(timeout), env,
                reserved, codeUri, null);
    }

    private Optional<Integer> integer(String id, String name, Mapping props) {
        return literal(id, props, name).or(() -> literal(id, globals, name)).map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(id + ": " + name + " is not a whole number: " + v, e);
            }
        });
    }

    /** A scalar setting; an intrinsic there is refused: the local stack would have to guess its value. */
    private static Optional<String> literal(String id, Mapping m, String name) {
        return m.get(name).map(n -> {
            if (n instanceof Scalar s && !s.isIntrinsic()) return s.value();
            throw new IllegalArgumentException(id + ": " + name + " must be a literal here, not "
                    + (n.isIntrinsic() ? "!" + n.intrinsicName() : n.getClass().getSimpleName()));
        });
    }

    private static Map<String, TemplateValue> variables(Mapping props) {
        Map<String, TemplateValue> out = new LinkedHashMap<>();
        props.mapping("Environment").flatMap(e -> e.mapping("Variables")).ifPresent(vars ->
                vars.fields().forEach((k, v) -> out.put(k, value(v))));
        return out;
    }

    private static TemplateValue value(Node n) {
        if (n.isIntrinsic()) return new TemplateValue.Intrinsic(n.intrinsicName(), text(n));
        if (n instanceof Scalar s) return new TemplateValue.Literal(s.value() == null ? "" : s.value());
        throw new IllegalArgumentException("an environment variable's value must be a string, not " + text(n));
    }

    private static String text(Node n) {
        return switch (n) {
            case Scalar s -> s.value();
            case Seq q -> q.items().stream().map(TemplateFunctions::text).toList().toString();
            case Mapping m -> m.fields().toString();
        };
    }

    private static Optional<String> imageCommand(String id, Mapping props) {
        return props.mapping("ImageConfig").flatMap(c -> c.get("Command")).map(n -> {
            if (n instanceof Seq q && !q.items().isEmpty() && q.items().getFirst() instanceof Scalar s
                    && !s.isIntrinsic()) {
                return s.value();
            }
            throw new IllegalArgumentException(id + ": ImageConfig.Command must be a list of literal strings");
        });
    }

    private static final Pattern FROM = Pattern.compile("(?i)^FROM\\s+(?:--\\S+\\s+)*\\S+(?:\\s+AS\\s+(\\S+))?\\s*$");
    private static final Pattern CMD = Pattern.compile("(?i)^CMD\\s+(.*)$");

    /**
     * The handler an image runs without ImageConfig: the JSON-form CMD of the build target's stage (the last stage
     * when Metadata names none, as {@code docker build} does). The Lambda base image's entry point hands CMD's first
     * element to the runtime as the handler.
     */
    static String dockerfileCmd(String id, Path dockerfile, String target) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dockerfile);
        } catch (IOException e) {
            throw new UncheckedIOException(id + ": cannot read " + dockerfile, e);
        }
        String stage = null;
        Map<String, String> cmdByStage = new LinkedHashMap<>();
        StringBuilder logical = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (logical.isEmpty() && (line.isEmpty() || line.startsWith("#"))) continue;
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String instruction = logical.toString().strip();
            logical.setLength(0);
            Matcher from = FROM.matcher(instruction);
            if (from.matches()) {
                stage = from.group(1) == null ? "#" + cmdByStage.size() : from.group(1).toLowerCase(Locale.ROOT);
                cmdByStage.put(stage, null);
                continue;
            }
            Matcher cmd = CMD.matcher(instruction);
            if (cmd.matches() && stage != null) cmdByStage.put(stage, cmd.group(1));
        }
        if (cmdByStage.isEmpty()) throw new IllegalArgumentException(id + ": " + dockerfile + " has no FROM");
        String key = target != null ? target.toLowerCase(Locale.ROOT)
                : cmdByStage.keySet().stream().reduce((a, b) -> b).orElseThrow();
        if (!cmdByStage.containsKey(key)) {
            throw new IllegalArgumentException(id + ": " + dockerfile + " has no stage " + target);
        }
        String cmd = cmdByStage.get(key);
        if (cmd == null) throw new IllegalArgumentException(id + ": stage " + key + " of " + dockerfile + " has no CMD");
        try {
            JsonNode array = new ObjectMapper().readTree(cmd);
            if (array.isArray() && !array.isEmpty() && array.get(0).isTextual()) return array.get(0).asText();
        } catch (IOException e) {
            // the shell form: reported below
        }
        throw new IllegalArgumentException(id + ": the CMD of stage " + key + " must be the JSON form "
                + "[\"package.Class::method\"] (the runtime takes its first element as the handler): " + cmd);
    }
}
