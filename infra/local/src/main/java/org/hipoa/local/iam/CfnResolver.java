package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CloudFormation's intrinsic functions ("Intrinsic function reference") over one template and binding: Ref (to
 * parameters, pseudo parameters, resources and SAM's {@code Function.Alias}), Fn::GetAtt, Fn::Sub (with
 * {@code ${!Literal}} kept as {@code ${Literal}}, i.e. an IAM policy variable), Fn::Join, Fn::Select, Fn::Split,
 * Fn::If with {@code AWS::NoValue}, the condition functions, Fn::Base64, Fn::FindInMap, Fn::Length and
 * Fn::ToJsonString. Functions that need a live account (Fn::GetAZs, Fn::ImportValue, Fn::Cidr, Fn::Transform)
 * throw when reached: only what is resolved is evaluated, so an API's AWS::Include does not stop a role's policy.
 */
final class CfnResolver {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final JsonNode NO_VALUE = MissingNode.getInstance();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final JsonNode template;
    private final CfnBinding binding;

    CfnResolver(JsonNode template, CfnBinding binding) {
        this.template = template;
        this.binding = binding;
    }

    /** The node with every intrinsic function evaluated; keys and items that resolve to AWS::NoValue are left out. */
    JsonNode resolve(JsonNode n) {
        if (n.isObject()) {
            if (n.size() == 1) {
                String key = n.fieldNames().next();
                if (key.equals("Ref") || key.startsWith("Fn::")) return function(key, n.get(key));
            }
            ObjectNode out = JSON.objectNode();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                JsonNode v = resolve(e.getValue());
                if (!v.isMissingNode()) out.set(e.getKey(), v);
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JSON.arrayNode();
            for (JsonNode item : n) {
                JsonNode v = resolve(item);
                if (!v.isMissingNode()) out.add(v);
            }
            return out;
        }
        return n;
    }

    String text(JsonNode n, String where) {
        JsonNode v = resolve(n);
        if (!v.isValueNode()) throw new CfnException(where + ": expected a string, got " + v);
        return v.asText();
    }

    /** Whether the named template condition holds. */
    boolean condition(String name) {
        JsonNode c = template.path("Conditions").path(name);
        if (c.isMissingNode()) throw new CfnException("no condition named " + name);
        return bool(c);
    }

    private boolean bool(JsonNode n) {
        if (n.isObject() && n.size() == 1 && n.has("Condition")) return condition(n.get("Condition").asText());
        JsonNode v = resolve(n);
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) return Boolean.parseBoolean(v.asText());
        throw new CfnException("not a condition: " + n);
    }

    private JsonNode function(String name, JsonNode arg) {
        return switch (name) {
            case "Ref" -> ref(arg.asText());
            case "Fn::GetAtt" -> {
                List<JsonNode> a = args(arg, 2, name);
                yield new TextNode(getAtt(text(a.get(0), name), text(a.get(1), name)));
            }
            case "Fn::Sub" -> new TextNode(sub(arg));
            case "Fn::Join" -> {
                List<JsonNode> a = args(arg, 2, name);
                List<String> parts = new ArrayList<>();
                for (JsonNode item : list(a.get(1), name)) parts.add(item.asText());
                yield new TextNode(String.join(text(a.get(0), name), parts));
            }
            case "Fn::Select" -> {
                List<JsonNode> a = args(arg, 2, name);
                int i = Integer.parseInt(text(a.get(0), name));
                JsonNode l = list(a.get(1), name);
                if (i < 0 || i >= l.size()) throw new CfnException("Fn::Select index " + i + " out of range: " + l);
                yield l.get(i);
            }
            case "Fn::Split" -> {
                List<JsonNode> a = args(arg, 2, name);
                ArrayNode out = JSON.arrayNode();
                for (String s : text(a.get(1), name).split(Pattern.quote(text(a.get(0), name)), -1)) out.add(s);
                yield out;
            }
            case "Fn::If" -> {
                List<JsonNode> a = args(arg, 3, name);
                yield resolve(condition(a.get(0).asText()) ? a.get(1) : a.get(2));
            }
            case "Fn::Equals" -> {
                List<JsonNode> a = args(arg, 2, name);
                yield BooleanNode.valueOf(resolve(a.get(0)).asText().equals(resolve(a.get(1)).asText()));
            }
            case "Fn::Not" -> BooleanNode.valueOf(!bool(args(arg, 1, name).getFirst()));
            case "Fn::And", "Fn::Or" -> {
                if (!arg.isArray() || arg.size() < 2) throw new CfnException(name + " takes 2 to 10 conditions: " + arg);
                boolean and = name.equals("Fn::And");
                boolean result = and;
                for (JsonNode c : arg) result = and ? result && bool(c) : result || bool(c);
                yield BooleanNode.valueOf(result);
            }
            case "Fn::Base64" -> new TextNode(Base64.getEncoder().encodeToString(
                    text(arg, name).getBytes(StandardCharsets.UTF_8)));
            case "Fn::FindInMap" -> {
                List<JsonNode> a = args(arg, 3, name);
                JsonNode v = template.path("Mappings").path(text(a.get(0), name)).path(text(a.get(1), name))
                        .path(text(a.get(2), name));
                if (v.isMissingNode()) throw new CfnException("Fn::FindInMap found nothing for " + arg);
                yield v;
            }
            case "Fn::Length" -> JSON.numberNode(list(arg, name).size());
            case "Fn::ToJsonString" -> {
                try {
                    yield new TextNode(new ObjectMapper().writeValueAsString(resolve(arg)));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new CfnException("Fn::ToJsonString: " + e.getMessage());
                }
            }
            default -> throw new CfnException(name + " cannot be resolved locally: " + arg);
        };
    }

    private List<JsonNode> args(JsonNode arg, int n, String name) {
        if (!arg.isArray() || arg.size() != n) throw new CfnException(name + " takes " + n + " arguments: " + arg);
        List<JsonNode> out = new ArrayList<>();
        arg.forEach(out::add);
        return out;
    }

    private JsonNode list(JsonNode n, String name) {
        JsonNode v = resolve(n);
        if (!v.isArray()) throw new CfnException(name + " needs a list: " + v);
        return v;
    }

    private String sub(JsonNode arg) {
        String text;
        JsonNode vars = JSON.objectNode();
        if (arg.isArray()) {
            List<JsonNode> a = args(arg, 2, "Fn::Sub");
            text = a.get(0).asText();
            vars = a.get(1);
        } else {
            text = arg.asText();
        }
        StringBuilder out = new StringBuilder();
        var m = SUB_VARIABLE.matcher(text);
        int at = 0;
        while (m.find()) {
            out.append(text, at, m.start());
            String name = m.group(1);
            if (name.startsWith("!")) out.append("${").append(name.substring(1)).append('}');
            else if (vars.has(name)) out.append(text(vars.get(name), "Fn::Sub ${" + name + "}"));
            else if (name.contains(".") && !name.startsWith("AWS::")) {
                int dot = name.indexOf('.');
                out.append(getAtt(name.substring(0, dot), name.substring(dot + 1)));
            } else out.append(ref(name).asText());
            at = m.end();
        }
        return out.append(text.substring(at)).toString();
    }

    JsonNode ref(String name) {
        switch (name) {
            case "AWS::AccountId" -> { return new TextNode(binding.account()); }
            case "AWS::Region" -> { return new TextNode(binding.region()); }
            case "AWS::Partition" -> { return new TextNode(binding.partition()); }
            case "AWS::StackName" -> { return new TextNode(binding.stackName()); }
            case "AWS::URLSuffix" -> { return new TextNode(binding.urlSuffix()); }
            case "AWS::StackId" -> {
                return new TextNode("arn:" + binding.partition() + ":cloudformation:" + binding.region() + ":"
                        + binding.account() + ":stack/" + binding.stackName() + "/local");
            }
            case "AWS::NoValue" -> { return NO_VALUE; }
            default -> { }
        }
        CfnBinding.Bound bound = binding.resource(name);
        if (bound != null) return new TextNode(bound.ref());
        JsonNode param = template.path("Parameters").path(name);
        if (!param.isMissingNode()) return parameter(name, param);
        if (template.path("Resources").has(name)) {
            return new TextNode(CfnDefaults.ref(name, type(name), physicalName(name), binding, p -> property(name, p)));
        }
        int dot = name.indexOf('.');
        if (dot > 0 && template.path("Resources").has(name.substring(0, dot))) {
            // SAM: Ref FunctionName.Alias is the alias's ARN (AutoPublishAlias), .Version the version's.
            String function = name.substring(0, dot);
            String what = name.substring(dot + 1);
            String qualifier = switch (what) {
                case "Alias" -> text(resource(function).path("Properties").path("AutoPublishAlias"), name);
                case "Version" -> "1";
                default -> throw new CfnException("no local value for Ref " + name + ": bind it in CfnBinding");
            };
            return new TextNode(CfnDefaults.functionQualifier(getAtt(function, "Arn"), qualifier));
        }
        throw new CfnException("Ref to unknown name " + name);
    }

    private JsonNode parameter(String name, JsonNode param) {
        String value = binding.parameter(name);
        if (value == null) {
            if (!param.has("Default")) throw new CfnException("parameter " + name + " has no default and no value");
            value = param.get("Default").asText();
        }
        String type = param.path("Type").asText("String");
        if (type.equals("CommaDelimitedList") || type.startsWith("List<")) {
            ArrayNode out = JSON.arrayNode();
            if (!value.isEmpty()) for (String s : value.split(",", -1)) out.add(s.trim());
            return out;
        }
        return new TextNode(value);
    }

    String getAtt(String logicalId, String attribute) {
        CfnBinding.Bound bound = binding.resource(logicalId);
        if (bound != null && bound.attributes().containsKey(attribute)) return bound.attributes().get(attribute);
        return CfnDefaults.attribute(logicalId, type(logicalId), physicalName(logicalId), attribute, binding,
                p -> property(logicalId, p));
    }

    private String physicalName(String logicalId) {
        return CfnDefaults.physicalName(logicalId, type(logicalId), binding, p -> property(logicalId, p));
    }

    private String property(String logicalId, String property) {
        JsonNode p = resource(logicalId).path("Properties").path(property);
        return p.isMissingNode() ? null : text(p, logicalId + "." + property);
    }

    JsonNode resource(String logicalId) {
        JsonNode r = template.path("Resources").path(logicalId);
        if (r.isMissingNode()) throw new CfnException("no resource " + logicalId + " in the template");
        return r;
    }

    String type(String logicalId) {
        return resource(logicalId).path("Type").asText();
    }
}
