package org.hipoa.local.iam;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed IAM policy document. Parsing is strict: an element, operator or value IAM does not define throws
 * {@link PolicyException} rather than being skipped, and identity and resource policies are told apart (a
 * resource policy's statements name a Principal, an identity policy's never do), as IAM's validator insists.
 *
 * @param name where the document came from, for messages
 */
public record PolicyDocument(Kind kind, String name, List<Statement> statements) {
    public enum Kind { IDENTITY, RESOURCE }

    private static final Set<String> DOCUMENT_ELEMENTS = Set.of("Version", "Id", "Statement");
    private static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");

    public PolicyDocument {
        statements = List.copyOf(statements);
    }

    /** Parses an intrinsic-free policy document (JSON, or template YAML after {@link CfnTemplate} resolved it). */
    public static PolicyDocument parse(JsonNode doc, Kind kind, String name) {
        if (!doc.isObject()) throw new PolicyException(name + ": a policy document is an object");
        for (Map.Entry<String, JsonNode> e : doc.properties()) {
            if (!DOCUMENT_ELEMENTS.contains(e.getKey())) {
                throw new PolicyException(name + ": unknown policy element '" + e.getKey() + "'");
            }
        }
        // Without a Version the 2008 language applies, in which ${...} is plain text.
        String version = doc.path("Version").asText("2008-10-17");
        if (!VERSIONS.contains(version)) throw new PolicyException(name + ": unknown policy Version '" + version + "'");
        JsonNode s = doc.path("Statement");
        List<JsonNode> nodes = new ArrayList<>();
        if (s.isArray()) s.forEach(nodes::add);
        else if (s.isObject()) nodes.add(s);
        else throw new PolicyException(name + ": Statement must be an object or a list of them");
        List<Statement> statements = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            statements.add(Statement.parse(nodes.get(i), kind, version.equals("2012-10-17"), name + " statement " + i));
        }
        return new PolicyDocument(kind, name, statements);
    }

    /** A scalar or a list of scalars, as every multi-valued policy element may be written. */
    static List<String> strings(JsonNode n, String where) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode v : n) {
                if (!v.isValueNode() || v.isNull()) throw new PolicyException(where + ": not a scalar: " + v);
                out.add(v.asText());
            }
        } else if (n.isValueNode() && !n.isNull()) {
            out.add(n.asText());
        } else {
            throw new PolicyException(where + ": expected a string or a list of them, got " + n);
        }
        if (out.isEmpty()) throw new PolicyException(where + ": empty list");
        return out;
    }

    @Override public String toString() { return kind + " policy " + name; }
}
