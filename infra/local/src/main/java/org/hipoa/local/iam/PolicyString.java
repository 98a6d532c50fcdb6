package org.hipoa.local.iam;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One string of a policy (a Resource, an Action, a condition value) with its policy variables
 * ({@code ${aws:PrincipalTag/x}}, {@code ${aws:username, 'default'}}) and the escapes {@code ${*}}, {@code ${?}},
 * {@code ${$}}, bound per request. Wildcards count only where the policy author wrote them: an escape or a
 * variable's value is literal text. AWS does not say whether a substituted value's {@code *} is a wildcard; tag
 * values cannot contain one, and literal is the reading that never widens an Allow nor narrows a Deny's
 * NotResource.
 *
 * <p>Variables exist only in policies of Version 2012-10-17; in older ones {@code ${...}} is plain text (IAM user
 * guide, "Policy variables").
 */
final class PolicyString {
    private sealed interface Part permits Text, Escaped, Variable {}
    private record Text(String text) implements Part {}
    private record Escaped(String text) implements Part {}
    private record Variable(String key, String fallback) implements Part {}

    private final String source;
    private final List<Part> parts;

    private final Bound constant;

    private PolicyString(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
        this.constant = parts.stream().anyMatch(p -> p instanceof Variable) ? null : new Bound(parts);
    }

    /** The string as written; {@code variables} false for a pre-2012-10-17 policy. */
    static PolicyString parse(String s, boolean variables) {
        List<Part> parts = new ArrayList<>();
        if (!variables) return new PolicyString(s, List.of(new Text(s)));
        int at = 0;
        while (at < s.length()) {
            int open = s.indexOf("${", at);
            if (open < 0) {
                parts.add(new Text(s.substring(at)));
                break;
            }
            if (open > at) parts.add(new Text(s.substring(at, open)));
            int close = s.indexOf('}', open);
            if (close < 0) throw new PolicyException("unterminated policy variable in '" + s + "'");
            parts.add(variable(s.substring(open + 2, close), s));
            at = close + 1;
        }
        return new PolicyString(s, List.copyOf(parts));
    }

    private static Part variable(String body, String whole) {
        switch (body) {
            case "*", "?", "$" -> { return new Escaped(body); }
            default -> { }
        }
        int comma = body.indexOf(',');
        if (comma < 0) return new Variable(checkedKey(body.trim(), whole), null);
        String fallback = body.substring(comma + 1).trim();
        if (fallback.length() < 2 || !fallback.startsWith("'") || !fallback.endsWith("'")) {
            throw new PolicyException("a policy variable's default must be quoted: '" + whole + "'");
        }
        return new Variable(checkedKey(body.substring(0, comma).trim(), whole), fallback.substring(1, fallback.length() - 1));
    }

    private static String checkedKey(String key, String whole) {
        if (key.isEmpty() || key.indexOf(':') < 0) throw new PolicyException("not a policy variable: '" + whole + "'");
        return key;
    }

    String source() { return source; }

    boolean hasVariables() { return parts.stream().anyMatch(p -> p instanceof Variable); }

    /**
     * The string for this request, or empty when a variable has no value: IAM's "effectively null", which matches
     * no resource and which no positive condition operator matches. A multi-valued key cannot be a variable.
     */
    Optional<Bound> bind(RequestContext context) {
        if (constant != null) return Optional.of(constant);
        List<Part> bound = new ArrayList<>(parts.size());
        for (Part p : parts) {
            if (p instanceof Variable v) {
                List<String> values = context.values(v.key());
                if (values != null && values.size() == 1) bound.add(new Escaped(values.getFirst()));
                else if (v.fallback() != null) bound.add(new Escaped(v.fallback()));
                else return Optional.empty();
            } else {
                bound.add(p);
            }
        }
        return Optional.of(new Bound(bound));
    }

    @Override public String toString() { return source; }

    /** A policy string with every variable replaced. */
    static final class Bound {
        private final List<Part> parts;
        private Pattern glob;
        private Pattern globIgnoringCase;

        private Bound(List<Part> parts) { this.parts = parts; }

        /** The text, wildcards as plain characters (what the Equals operators compare). */
        String text() {
            StringBuilder b = new StringBuilder();
            for (Part p : parts) b.append(p instanceof Text t ? t.text() : ((Escaped) p).text());
            return b.toString();
        }

        /** IAM's {@code *} (any run, also empty) and {@code ?} (one character) where the author wrote them. */
        boolean globMatches(String value, boolean ignoreCase) {
            if (ignoreCase) {
                if (globIgnoringCase == null) globIgnoringCase = Pattern.compile(regex(), Pattern.CASE_INSENSITIVE
                        | Pattern.UNICODE_CASE | Pattern.DOTALL);
                return globIgnoringCase.matcher(value).matches();
            }
            if (glob == null) glob = Pattern.compile(regex(), Pattern.DOTALL);
            return glob.matcher(value).matches();
        }

        /**
         * ARN operators: each of the six colon-separated parts is matched on its own ("Amazon Resource Name (ARN)
         * condition operators"), so a wildcard in the first five cannot run across a colon; in the resource part,
         * which may itself hold colons, it can.
         */
        boolean arnMatches(String value) {
            if (text().equals("*")) return true;
            StringBuilder re = new StringBuilder();
            int colons = 0;
            for (Part p : parts) {
                if (p instanceof Escaped e) {
                    re.append(Pattern.quote(e.text()));
                    colons += (int) e.text().chars().filter(c -> c == ':').count();
                    continue;
                }
                for (char c : ((Text) p).text().toCharArray()) {
                    switch (c) {
                        case '*' -> re.append(colons < 5 ? "[^:]*" : ".*");
                        case '?' -> re.append(colons < 5 ? "[^:]" : ".");
                        default -> {
                            if (c == ':') colons++;
                            re.append(Pattern.quote(String.valueOf(c)));
                        }
                    }
                }
            }
            return colons >= 5 && Pattern.compile(re.toString(), Pattern.DOTALL).matcher(value).matches();
        }

        private String regex() {
            StringBuilder re = new StringBuilder();
            for (Part p : parts) {
                if (p instanceof Escaped e) {
                    re.append(Pattern.quote(e.text()));
                    continue;
                }
                StringBuilder literal = new StringBuilder();
                for (char c : ((Text) p).text().toCharArray()) {
                    if (c == '*' || c == '?') {
                        if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
                        literal.setLength(0);
                        re.append(c == '*' ? ".*" : ".");
                    } else {
                        literal.append(c);
                    }
                }
                if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
            }
            return re.toString();
        }

        @Override public String toString() { return text(); }
    }
}
