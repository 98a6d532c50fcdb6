package org.hipoa.local.internal;

import java.util.Map;
import java.util.Properties;

/**
 * Each local function's own environment inside the one JVM the local stack runs in: its role's credentials and its
 * template Environment, seen by the threads of that function only (and by the threads they start).
 *
 * <p>Why this exists: on AWS every function runs in its own execution environment with its own role's credentials
 * ({@code AWS_ACCESS_KEY_ID}…) and its own variables. Here handlers share one JVM, and the SDK and the handlers read
 * their settings through {@link System#getProperty} (the SDK's {@code aws.accessKeyId}, the handlers'
 * {@link org.hipoa.domain.Settings}, which takes a set property over the environment variable).
 * Replacing the JVM's properties object with one that consults a per-thread overlay first gives every function its
 * own answer without a test-only code path in the handlers. The SDK resolves credentials per request on the calling
 * thread, so a call is signed with the role of the function whose thread makes it.
 */
public final class FunctionEnvironment extends Properties {
    private static final long serialVersionUID = 1L;
    private static final InheritableThreadLocal<Map<String, String>> OVERLAY = new InheritableThreadLocal<>();

    /**
     * A value meaning "this function has no such variable", so a setting the harness exports for itself is not
     * visible to a function whose template environment lacks it (a function must not work here and fail there).
     * It reads as an empty property, not a missing one: {@link org.hipoa.domain.Settings} then stops at the blank
     * property and never falls through to a developer's shell variable of the same name.
     */
    public static final String UNSET = "\u0000unset";

    private FunctionEnvironment() {}

    /** Installs the overlay-aware properties object once per JVM (idempotent); existing properties are kept. */
    public static synchronized void install() {
        if (System.getProperties() instanceof FunctionEnvironment) return;
        FunctionEnvironment p = new FunctionEnvironment();
        p.putAll(System.getProperties());
        System.setProperties(p);
    }

    /** Sets the current thread's environment (inherited by threads it starts); null clears it. */
    public static void enter(Map<String, String> environment) {
        if (environment == null) OVERLAY.remove();
        else OVERLAY.set(Map.copyOf(environment));
    }

    /** The environment the current thread runs in, if any. */
    public static Map<String, String> current() {
        Map<String, String> m = OVERLAY.get();
        return m == null ? Map.of() : m;
    }

    @Override
    public String getProperty(String key) {
        Map<String, String> o = OVERLAY.get();
        if (o != null) {
            String v = o.get(key);
            if (UNSET.equals(v)) return "";
            if (v != null) return v;
        }
        return super.getProperty(key);
    }

    @Override
    public String getProperty(String key, String defaultValue) {
        String v = getProperty(key);
        return v == null ? defaultValue : v;
    }
}
