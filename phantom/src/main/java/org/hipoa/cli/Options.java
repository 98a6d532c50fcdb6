package org.hipoa.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options of a sub-command; unknown names and missing values are usage errors. */
record Options(Map<String, String> values) {

    static Options parse(List<String> args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || i + 1 >= args.size()) throw new IllegalArgumentException("expected --name value, got '" + a + "'");
            values.put(a.substring(2), args.get(++i));
        }
        return new Options(Map.copyOf(values));
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    String optional(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** A whole-number option; {@code fallback} null makes it required. */
    long longValue(String name, String fallback) {
        String v = fallback == null ? required(name) : optional(name, fallback);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    void allowOnly(String... names) {
        for (String k : values.keySet()) {
            if (!List.of(names).contains(k)) throw new IllegalArgumentException("unknown option --" + k);
        }
    }
}
