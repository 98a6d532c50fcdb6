package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A statement's Condition block: every operator and every key in it must hold (AND); a key's several policy values
 * are alternatives (OR), or for a negated operator none may match (NOR) ("Conditions with multiple context keys or
 * values").
 */
final class Condition {
    private enum SetQualifier { NONE, FOR_ALL_VALUES, FOR_ANY_VALUE }

    private record Clause(String written, SetQualifier qualifier, ConditionOperator op, boolean ifExists, String key,
                          List<PolicyString> values) {}

    static final Condition NONE = new Condition(List.of());

    private final List<Clause> clauses;

    private Condition(List<Clause> clauses) { this.clauses = clauses; }

    static Condition parse(JsonNode block, boolean variables) {
        if (!block.isObject()) throw new PolicyException("Condition must be an object: " + block);
        List<Clause> clauses = new ArrayList<>();
        for (Map.Entry<String, JsonNode> byOperator : block.properties()) {
            String written = byOperator.getKey();
            SetQualifier q = SetQualifier.NONE;
            String name = written;
            if (name.startsWith("ForAllValues:")) {
                q = SetQualifier.FOR_ALL_VALUES;
                name = name.substring("ForAllValues:".length());
            } else if (name.startsWith("ForAnyValue:")) {
                q = SetQualifier.FOR_ANY_VALUE;
                name = name.substring("ForAnyValue:".length());
            }
            boolean ifExists = name.endsWith("IfExists");
            if (ifExists) name = name.substring(0, name.length() - "IfExists".length());
            ConditionOperator op = ConditionOperator.named(name);
            if (op == ConditionOperator.Null && (ifExists || q != SetQualifier.NONE)) {
                throw new PolicyException("'" + written + "' is not an operator: Null takes no IfExists or set qualifier");
            }
            if (!byOperator.getValue().isObject() || byOperator.getValue().isEmpty()) {
                throw new PolicyException(written + " must map condition keys to values: " + byOperator.getValue());
            }
            for (Map.Entry<String, JsonNode> byKey : byOperator.getValue().properties()) {
                List<PolicyString> values = new ArrayList<>();
                for (String v : PolicyDocument.strings(byKey.getValue(), written + " " + byKey.getKey())) {
                    if (!op.takesVariables()) op.checkPolicyValue(v);
                    values.add(PolicyString.parse(v, variables && op.takesVariables()));
                }
                clauses.add(new Clause(written, q, op, ifExists, byKey.getKey(), List.copyOf(values)));
            }
        }
        return new Condition(List.copyOf(clauses));
    }

    boolean holds(RequestContext context) {
        for (Clause c : clauses) if (!holds(c, context)) return false;
        return true;
    }

    private static boolean holds(Clause c, RequestContext context) {
        List<String> present = context.values(c.key());
        boolean absent = present == null || present.isEmpty();
        if (c.op() == ConditionOperator.Null) {
            // "true": the key must be absent; "false": present. Several values are alternatives.
            return c.values().stream().anyMatch(v -> v.source().equalsIgnoreCase("true") == absent);
        }
        if (absent) {
            if (c.ifExists()) return true;
            return switch (c.qualifier()) {
                case FOR_ALL_VALUES -> true;   // documented: also true when the request has no such key
                case FOR_ANY_VALUE -> false;
                case NONE -> c.op().negated;   // documented: a negated operator matches an absent key
            };
        }
        List<PolicyString.Bound> bound = new ArrayList<>();
        for (PolicyString v : c.values()) {
            Optional<PolicyString.Bound> b = v.bind(context);
            b.ifPresent(bound::add); // a variable with no value is "effectively null": it matches no request value
        }
        return switch (c.qualifier()) {
            case FOR_ALL_VALUES -> present.stream().allMatch(r -> valueHolds(c.op(), r, bound));
            case FOR_ANY_VALUE -> present.stream().anyMatch(r -> valueHolds(c.op(), r, bound));
            case NONE -> c.op().negated
                    ? present.stream().noneMatch(r -> anyMatches(c.op(), r, bound))
                    : present.stream().anyMatch(r -> anyMatches(c.op(), r, bound));
        };
    }

    private static boolean valueHolds(ConditionOperator op, String request, List<PolicyString.Bound> policy) {
        return op.negated != anyMatches(op, request, policy);
    }

    private static boolean anyMatches(ConditionOperator op, String request, List<PolicyString.Bound> policy) {
        for (PolicyString.Bound p : policy) if (op.matches(request, p)) return true;
        return false;
    }
}
