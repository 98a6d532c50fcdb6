package org.hipoa.local.runtime;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A CloudFormation template as a tree that keeps the short-form tags ({@code !Ref}, {@code !Sub}, …): Jackson's
 * tree model drops them, which would make {@code WORK_BUCKET: !Ref WorkBucket} read as the literal "WorkBucket".
 * The streaming parser reports each node's tag, so the tree is built from it.
 */
final class TemplateYaml {
    private TemplateYaml() {}

    /** A YAML node; {@code tag} is the short-form intrinsic without its "!" ("Ref", "Sub"), or null. */
    sealed interface Node permits Scalar, Seq, Mapping {
        String tag();

        /** True for {@code !Ref x}, {@code !Sub …} and the long forms ({@code {Ref: x}}, {@code {"Fn::Sub": …}}). */
        default boolean isIntrinsic() {
            if (tag() != null) return true;
            return this instanceof Mapping m && m.fields().size() == 1
                    && m.fields().keySet().stream().allMatch(k -> k.equals("Ref") || k.startsWith("Fn::"));
        }

        /** The intrinsic's name ("Ref", "Sub", "GetAtt", "If", …), for error messages. */
        default String intrinsicName() {
            if (tag() != null) return tag();
            String key = ((Mapping) this).fields().keySet().iterator().next();
            return key.startsWith("Fn::") ? key.substring(4) : key;
        }
    }

    record Scalar(String tag, String value) implements Node {}

    record Seq(String tag, List<Node> items) implements Node {}

    record Mapping(String tag, Map<String, Node> fields) implements Node {
        Optional<Node> get(String name) {
            return Optional.ofNullable(fields.get(name));
        }

        Optional<Mapping> mapping(String name) {
            return get(name).map(n -> n instanceof Mapping m && !m.isIntrinsic() ? m : null);
        }
    }

    static Mapping read(Path file) {
        try (YAMLParser p = (YAMLParser) new YAMLFactory().createParser(Files.readString(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(file + " is not a YAML mapping");
            }
            return (Mapping) node(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Node node(YAMLParser p) throws IOException {
        String tag = p.getTypeId();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Map<String, Node> fields = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                fields.put(name, node(p));
            }
            return new Mapping(tag, Collections.unmodifiableMap(fields));
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) items.add(node(p));
            return new Seq(tag, List.copyOf(items));
        }
        return new Scalar(tag, t == JsonToken.VALUE_NULL ? null : p.getText());
    }
}
