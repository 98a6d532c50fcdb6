package org.hipoa.local.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What Lambda's java21 managed runtime puts around a function: the runtime interface client and its libraries on
 * the system class path (the function's own classes and lib/*.jar come from its task root, through the client's
 * class loader), and the JVM flags its launcher derives from the function's memory.
 * <p>
 * The client's jars are found where this JVM loaded them from (hipoa-local depends on the client at runtime scope
 * for this): aws-lambda-java-runtime-interface-client 2.10.1 with aws-lambda-java-core, -serialization and
 * utils-lite at the versions this build resolves.
 */
public final class JavaRuntime {
    /** The runtime interface client's entry point; its one argument is the handler string. */
    public static final String MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final String JNI_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    /** One class of each jar the client needs on the system class path. */
    private static final List<String> RUNTIME_CLASSES = List.of(MAIN_CLASS,
            "com.amazonaws.services.lambda.runtime.Context",
            "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
            "software.amazon.awssdk.utilslite.SdkInternalThreadLocal");
    /**
     * Lambda's java17/java21 default, which a function's JAVA_TOOL_OPTIONS may change (developer guide, "Customize
     * Java runtime startup behavior": C1 only unless JAVA_TOOL_OPTIONS sets another level). It goes first in
     * JAVA_TOOL_OPTIONS so the template's flags, read after it, win, as the guide says they do. Whether the real
     * launcher puts it on its command line instead (where it would win) is not documented.
     */
    static final String RUNTIME_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    private static volatile Path jniLibrary;

    private JavaRuntime() {}

    /**
     * The {@code java} that runs the functions: this JVM's. Lambda's java21 runtime is Amazon Corretto 21, so code
     * that needs a newer JDK would run here and fail there; the build's {@code --release 21} is what guards that.
     */
    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The client's jars, as this JVM loaded them. */
    static List<Path> classpath() {
        List<Path> out = new ArrayList<>();
        for (String name : RUNTIME_CLASSES) {
            try {
                Class<?> c = Class.forName(name, false, JavaRuntime.class.getClassLoader());
                Path jar = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (!out.contains(jar)) out.add(jar);
            } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("the Lambda runtime interface client is not on this class path ("
                        + name + "): hipoa-local depends on com.amazonaws:aws-lambda-java-runtime-interface-client", e);
            }
        }
        return out;
    }

    /**
     * The launcher's memory flags, command line (so JAVA_TOOL_OPTIONS cannot raise them), with the proportions of
     * the java11 launch line AWS's runtime printed (DataDog/datadog-lambda-extension#117: MaxHeapSize 85 %,
     * MaxMetaspaceSize 10 %, ReservedCodeCacheSize 5 % of the memory, SerialGC, IPv4) — java17/21's own line is not
     * published. -Xshare:auto where Lambda maps its own CDS archive. -XX:MaxRAM tells the JVM's ergonomics (direct
     * memory, GC sizing) the environment's size instead of the host's.
     */
    static List<String> memoryFlags(int memoryMb) {
        long kb = memoryMb * 1024L;
        return List.of("-XX:MaxHeapSize=" + ceilPercent(kb, 85) + "k",
                "-XX:MaxMetaspaceSize=" + kb * 10 / 100 + "k",
                "-XX:ReservedCodeCacheSize=" + kb * 5 / 100 + "k",
                "-XX:MaxRAM=" + memoryMb + "m",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Djava.net.preferIPv4Stack=true");
    }

    private static long ceilPercent(long kb, int percent) {
        return (kb * percent + 99) / 100;
    }

    /**
     * Flags for a JDK newer than Lambda's 21 only: from JDK 24 on, the client's {@code System.load} of its native
     * library warns unless native access is enabled (and later JDKs will refuse it); Lambda's JDK 21 does neither.
     */
    static List<String> jdkFlags() {
        return Runtime.version().feature() >= 24 ? List.of("--enable-native-access=ALL-UNNAMED") : List.of();
    }

    /** JAVA_TOOL_OPTIONS as the function sees it: the runtime's default, then the function's own. */
    static String toolOptions(String functionOptions) {
        return functionOptions == null || functionOptions.isBlank() ? RUNTIME_TOOL_OPTIONS
                : RUNTIME_TOOL_OPTIONS + " " + functionOptions.strip();
    }

    /**
     * {@code -D…NativeClient.JNI=<path>}: the client's native library, unpacked once per stack JVM into a folder of
     * its own. Left to itself the client unpacks it to the fixed /tmp/.libaws-lambda-jni.so, overwriting it while
     * another environment starting beside it loads it (on Lambda every environment has its own /tmp).
     */
    static String jniFlag() {
        Path lib = jniLibrary;
        if (lib == null) {
            synchronized (JavaRuntime.class) {
                if ((lib = jniLibrary) == null) jniLibrary = lib = unpackJni();
            }
        }
        return "-D" + JNI_PROPERTY + "=" + lib;
    }

    private static Path unpackJni() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String name = arch.equals("aarch64") || arch.equals("arm64") ? "libaws-lambda-jni.linux-aarch_64.so"
                : "libaws-lambda-jni.linux-x86_64.so";
        try {
            Class<?> main = Class.forName(MAIN_CLASS, false, JavaRuntime.class.getClassLoader());
            try (InputStream in = main.getResourceAsStream("/jni/" + name)) {
                if (in == null) throw new IllegalStateException("the runtime client jar has no /jni/" + name);
                Path dir = Files.createTempDirectory("hipoa-lambda-jni");
                Path lib = dir.resolve(name);
                Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
                lib.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                return lib;
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the Lambda runtime interface client is not on this class path", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the runtime client's native library", e);
        }
    }
}
