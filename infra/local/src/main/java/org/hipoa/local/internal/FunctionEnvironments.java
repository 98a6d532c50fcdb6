package org.hipoa.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import org.hipoa.local.template.StackTemplate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A function's environment as template.yaml gives it (Globals + its own Variables), resolved for this machine: a
 * reference to a stack resource or parameter becomes the local resource's name or URL; the few values that name
 * places inside Lambda's filesystem or AWS-only services get their local counterpart. A value nobody can resolve
 * stops the stack from starting, so a variable added to the template without a local meaning is noticed here.
 */
public final class FunctionEnvironments {
    private FunctionEnvironments() {}

    /**
     * @param references  logical id or parameter name → its local value ({@code ResultsTable} → the table's name)
     * @param localValues variable name → the value it takes here whatever the template says (MODEL_DIR, the
     *                    Secrets Manager reference, the viewer's origin)
     * @param harnessOnly settings the harness exports JVM-wide for its own use: hidden from a function whose
     *                    template environment does not name them
     */
    public static Map<String, String> resolve(StackTemplate template, String function, Map<String, String> references,
                                              Map<String, String> localValues, Set<String> harnessOnly) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : harnessOnly) env.put(name, FunctionEnvironment.UNSET);
        for (Map.Entry<String, JsonNode> v : template.environment(function).entrySet()) {
            String name = v.getKey();
            if (localValues.containsKey(name)) {
                env.put(name, localValues.get(name));
                continue;
            }
            JsonNode node = v.getValue();
            String text = node.asText();
            if (text.contains("${") || text.contains("{{resolve:")) { // a dropped !Sub or a dynamic reference
                throw new IllegalStateException("template.yaml: " + function + "'s " + name + " = " + text
                        + " has no local value; add one to the local stack");
            }
            String resolved = references.get(StackTemplate.logicalIdOf(text));
            if (resolved != null && isReference(template, text)) env.put(name, resolved);
            else if (node.isValueNode() && !isReference(template, text)) env.put(name, text);
            else throw new IllegalStateException("template.yaml: " + function + "'s " + name + " = " + text
                    + " has no local value; add one to the local stack");
        }
        return env;
    }

    /** Whether a scalar, as Jackson reads it with tags dropped, names a resource or parameter of the template. */
    private static boolean isReference(StackTemplate template, String text) {
        String id = StackTemplate.logicalIdOf(text);
        return template.tree().path("Resources").has(id) || template.tree().path("Parameters").has(id);
    }
}
