package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One policy statement. {@link #applies} answers whether its Action/NotAction, Resource/NotResource and Condition
 * cover a request; who it is about (Principal/NotPrincipal) is {@link #principalMatch}'s, since only resource
 * policies name one.
 */
public record Statement(String sid, boolean allow, Optional<Principals> principal, boolean notPrincipal,
                        List<PolicyString> actions, boolean notAction, List<PolicyString> resources,
                        boolean notResource, Condition condition) {

    private static final Set<String> ELEMENTS = Set.of("Sid", "Effect", "Principal", "NotPrincipal", "Action",
            "NotAction", "Resource", "NotResource", "Condition");

    static Statement parse(JsonNode s, PolicyDocument.Kind kind, boolean variables, String where) {
        if (!s.isObject()) throw new PolicyException(where + ": a statement is an object");
        for (Map.Entry<String, JsonNode> e : s.properties()) {
            if (!ELEMENTS.contains(e.getKey())) throw new PolicyException(where + ": unknown element '" + e.getKey() + "'");
        }
        String sid = s.path("Sid").asText("");
        String at = sid.isEmpty() ? where : where + " (" + sid + ")";
        String effect = s.path("Effect").asText("");
        if (!effect.equals("Allow") && !effect.equals("Deny")) throw new PolicyException(at + ": Effect must be Allow or Deny");
        String actionKey = exactlyOne(s, "Action", "NotAction", at);
        String resourceKey = exactlyOne(s, "Resource", "NotResource", at);
        Optional<Principals> principal = Optional.empty();
        boolean notPrincipal = s.has("NotPrincipal");
        if (kind == PolicyDocument.Kind.RESOURCE) {
            String key = exactlyOne(s, "Principal", "NotPrincipal", at);
            principal = Optional.of(Principals.parse(s.get(key), at));
        } else if (s.has("Principal") || notPrincipal) {
            throw new PolicyException(at + ": an identity policy names no Principal");
        }
        List<PolicyString> actions = PolicyDocument.strings(s.get(actionKey), at + " " + actionKey).stream()
                .map(a -> {
                    if (!a.equals("*") && !a.matches("[A-Za-z0-9-]+:[A-Za-z0-9*?]+")) {
                        throw new PolicyException(at + ": not an action: '" + a + "'");
                    }
                    return PolicyString.parse(a, false);
                }).toList();
        List<PolicyString> resources = PolicyDocument.strings(s.get(resourceKey), at + " " + resourceKey).stream()
                .map(r -> PolicyString.parse(r, variables)).toList();
        Condition condition = s.has("Condition") ? Condition.parse(s.get("Condition"), variables) : Condition.NONE;
        return new Statement(sid, effect.equals("Allow"), principal, notPrincipal, actions, actionKey.equals("NotAction"),
                resources, resourceKey.equals("NotResource"), condition);
    }

    private static String exactlyOne(JsonNode s, String a, String b, String at) {
        if (s.has(a) == s.has(b)) throw new PolicyException(at + ": exactly one of " + a + " and " + b + " is required");
        return s.has(a) ? a : b;
    }

    /** Whether the action, the resource and the condition all cover this request. */
    boolean applies(IamRequest request, RequestContext context) {
        return actionCovered(request.action()) && resourceCovered(request.resource(), context) && condition.holds(context);
    }

    /** Action names are case-insensitive. */
    private boolean actionCovered(String action) {
        boolean listed = false;
        for (PolicyString a : actions) {
            if (a.bind(null).orElseThrow().globMatches(action, true)) {
                listed = true;
                break;
            }
        }
        return listed != notAction;
    }

    /** A resource entry whose variable has no value matches nothing (so it excludes nothing from NotResource). */
    private boolean resourceCovered(String resource, RequestContext context) {
        boolean listed = false;
        for (PolicyString r : resources) {
            Optional<PolicyString.Bound> b = r.bind(context);
            if (b.isPresent() && b.get().globMatches(resource, false)) {
                listed = true;
                break;
            }
        }
        return listed != notResource;
    }

    /** How this resource-policy statement names the caller; NONE if it is not about the caller at all. */
    Principals.Match principalMatch(LocalPrincipal caller) {
        Principals p = principal.orElseThrow(() -> new IllegalStateException("an identity statement has no principal"));
        if (!notPrincipal) return p.match(caller);
        return p.excludes(caller) ? Principals.Match.NONE : Principals.Match.SPECIFIC;
    }
}
