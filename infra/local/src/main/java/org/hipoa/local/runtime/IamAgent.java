package org.hipoa.local.runtime;

import org.hipoa.lambdaagent.AgentSystemLoader;
import org.hipoa.local.internal.IamSpec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;

/**
 * The local IAM for function processes: what a {@link LambdaProcess} needs so that every SDK call its function makes
 * is authorised against template.yaml exactly as in the stack's JVM, without anything of the local stack entering the
 * function's package.
 * <ul>
 *   <li>a small jar on the runtime's class path with {@link AgentSystemLoader} (the process's system class loader)
 *       and the SDK's global-interceptor list naming {@link ChildIam};</li>
 *   <li>the local stack's classes and the libraries they use (the SDK, Jackson, SnakeYAML, SLF4J) as the agent's
 *       class path: consulted only for {@code org.hipoa.local.*} and for what the function's own package lacks;</li>
 *   <li>{@value ChildIam#SPEC_VARIABLE}: the stack's {@link IamSpec} as JSON.</li>
 * </ul>
 */
public final class IamAgent {
    private static final String INTERCEPTORS = "software/amazon/awssdk/global/handlers/execution.interceptors";
    /** The packages of the libraries the local IAM code uses (the jars holding them, wherever they lie). */
    private static final List<String> LIBRARIES = List.of("software/amazon/awssdk/", "software/amazon/eventstream/",
            "org/reactivestreams/", "com/fasterxml/jackson/", "org/yaml/snakeyaml/", "org/slf4j/");
    private static volatile Path bootJar;

    private IamAgent() {}

    /** The agent for a stack whose IAM {@code spec} describes; the spec is written next to {@code dir}'s files. */
    public static LambdaProcess.Agent of(IamSpec spec, Path dir) {
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve("local-iam.json");
            spec.write(json);
            String classpath = agentClasspath().stream().map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator));
            return new LambdaProcess.Agent(List.of(bootJar()),
                    List.of("-Djava.system.class.loader=" + AgentSystemLoader.class.getName(),
                            "-D" + AgentSystemLoader.CLASSPATH_PROPERTY + "=" + classpath),
                    Map.of(ChildIam.SPEC_VARIABLE, json.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the local IAM for function processes", e);
        }
    }

    /** The local stack's classes (where this JVM loaded them from) and the libraries' jars on this JVM's class path. */
    static List<Path> agentClasspath() throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(location(ChildIam.class));
        for (String pkg : LIBRARIES) {
            Enumeration<URL> holders = IamAgent.class.getClassLoader().getResources(pkg);
            while (holders.hasMoreElements()) {
                String url = holders.nextElement().toString();
                if (!url.startsWith("jar:file:")) continue; // a classes folder: the build's own, not a library
                String jar = url.substring("jar:".length(), url.indexOf("!/"));
                try {
                    Path p = Path.of(new java.net.URI(jar));
                    if (!out.contains(p)) out.add(p);
                } catch (URISyntaxException e) {
                    throw new IOException("odd class path entry " + jar, e);
                }
            }
        }
        if (out.size() < 2) {
            throw new IllegalStateException("cannot find the AWS SDK's jars on this class path for the local IAM agent");
        }
        return out;
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where " + c.getName() + " was loaded from", e);
        }
    }

    /** The boot jar, written once per JVM: the system class loader and the interceptor list, nothing else. */
    private static Path bootJar() throws IOException {
        Path jar = bootJar;
        if (jar != null) return jar;
        synchronized (IamAgent.class) {
            if (bootJar != null) return bootJar;
            Path dir = Files.createTempDirectory("hipoa-lambda-agent");
            jar = dir.resolve("hipoa-local-agent-boot.jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                for (Class<?> c : List.of(AgentSystemLoader.class, classNamed(AgentSystemLoader.class.getName()
                        + "$AgentLoader"))) {
                    String entry = c.getName().replace('.', '/') + ".class";
                    out.putNextEntry(new JarEntry(entry));
                    try (InputStream in = IamAgent.class.getClassLoader().getResourceAsStream(entry)) {
                        if (in == null) throw new IOException("no class file " + entry);
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
                out.putNextEntry(new JarEntry(INTERCEPTORS));
                out.write((ChildIam.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            jar.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            bootJar = jar;
            return jar;
        }
    }

    private static Class<?> classNamed(String name) {
        try {
            return Class.forName(name, false, IamAgent.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
