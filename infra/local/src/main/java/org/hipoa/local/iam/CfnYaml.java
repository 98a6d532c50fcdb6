package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.List;
import java.util.Map;

/**
 * Reads a CloudFormation YAML template into a tree in which every short-form tag ({@code !Sub}, {@code !GetAtt},
 * {@code !Ref}, …) is its long form ({@code {"Fn::Sub": …}}), as CloudFormation itself reads it. Jackson's YAML
 * reader drops tags, so this uses SnakeYAML (on the classpath through jackson-dataformat-yaml anyway) with one
 * constructor per tag. An unknown tag, or a duplicate key, fails the read, as it fails a deployment.
 */
final class CfnYaml {
    private static final List<String> FUNCTIONS = List.of("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs",
            "ImportValue", "Join", "Select", "Split", "Sub", "Transform", "If", "Equals", "Not", "And", "Or", "Length",
            "ToJsonString");

    private CfnYaml() {}

    static JsonNode read(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(16 * 1024 * 1024);
        Object tree = new Yaml(new Constructor(options)).load(yaml);
        return new ObjectMapper().valueToTree(tree);
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            // CloudFormation reads 2012-10-17 unquoted as text, not as a date.
            yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
            yamlConstructors.put(new Tag("!Ref"), new LongForm("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new LongForm("Condition"));
            for (String f : FUNCTIONS) yamlConstructors.put(new Tag("!" + f), new LongForm("Fn::" + f));
        }

        private final class LongForm extends AbstractConstruct {
            private final String name;

            LongForm(String name) { this.name = name; }

            @Override
            public Object construct(Node node) {
                Object value = switch (node) {
                    case ScalarNode s -> constructScalar(s);
                    case SequenceNode s -> constructSequence(s);
                    case MappingNode m -> constructMapping(m);
                    default -> throw new IllegalArgumentException("unexpected YAML node under !" + name + ": " + node);
                };
                // !GetAtt takes "Resource.Attribute"; its long form takes the two as a list.
                if (name.equals("Fn::GetAtt") && value instanceof String s) {
                    int dot = s.indexOf('.');
                    if (dot < 0) throw new IllegalArgumentException("!GetAtt needs Resource.Attribute: " + s);
                    value = List.of(s.substring(0, dot), s.substring(dot + 1));
                }
                return Map.of(name, value);
            }
        }
    }
}
