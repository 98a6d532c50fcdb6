package org.hipoa.lambdaagent;

import java.io.File;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The system class loader of a local function process ({@code -Djava.system.class.loader}): the local stack's own
 * classes ({@code org.hipoa.local.*}, the local IAM above all) come from a class loader of their own whose parent is
 * the function's — so they link against the AWS SDK the function's package carries, as an SDK interceptor must, while
 * the function's class loader still sees nothing of the local stack but that one package. Everything else loads as
 * the runtime would load it.
 *
 * <p>Why a system class loader: the runtime interface client builds the function's class loader (the task root and
 * its lib/*.jar) with the system class loader as parent and gives no other hook. An interceptor class on the plain
 * class path would be defined by the system loader, which cannot see the function's SDK; one in the task root would
 * change the package. Only the parent of the function's loader can hand it a class defined elsewhere.
 *
 * <p>No dependency beyond the JDK: this class is loaded before anything else of the process.
 */
public final class AgentSystemLoader extends ClassLoader {
    /** The class path of the local stack's classes and the libraries they need (path-separated). */
    public static final String CLASSPATH_PROPERTY = "hipoa.agent.classpath";
    private static final String AGENT_PACKAGE = "org.hipoa.local.";
    private static final String CLIENT_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    static {
        registerAsParallelCapable();
    }

    private volatile ClassLoader agent;

    public AgentSystemLoader(ClassLoader parent) {
        super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(AGENT_PACKAGE)) return super.loadClass(name, resolve);
        return agent().loadClass(name);
    }

    private ClassLoader agent() throws ClassNotFoundException {
        ClassLoader a = agent;
        if (a != null) return a;
        synchronized (this) {
            if (agent == null) agent = new AgentLoader(urls(), functionLoader());
            return agent;
        }
    }

    /** The runtime client's class loader for the function's code (it keeps it in a static field). */
    private ClassLoader functionLoader() throws ClassNotFoundException {
        try {
            Class<?> main = Class.forName(CLIENT_MAIN, false, getParent());
            Method m = main.getDeclaredMethod("getCustomerClassLoader");
            m.setAccessible(true);
            ClassLoader customer = (ClassLoader) m.invoke(null);
            if (customer == null) {
                throw new ClassNotFoundException("the local stack's classes are asked for before the runtime client "
                        + "built the function's class loader");
            }
            return customer;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ClassNotFoundException("cannot reach the runtime client's function class loader: " + e, e);
        }
    }

    private static URL[] urls() throws ClassNotFoundException {
        String cp = System.getProperty(CLASSPATH_PROPERTY);
        if (cp == null || cp.isBlank()) throw new ClassNotFoundException(CLASSPATH_PROPERTY + " is not set");
        List<URL> out = new ArrayList<>();
        for (String p : cp.split(File.pathSeparator)) {
            try {
                out.add(Path.of(p).toUri().toURL());
            } catch (MalformedURLException e) {
                throw new ClassNotFoundException(CLASSPATH_PROPERTY + ": " + p, e);
            }
        }
        return out.toArray(URL[]::new);
    }

    /**
     * Its own classes first for the local stack's package (asking the parent would come back here); for anything
     * else the function's class first — the SDK the function carries — and its own jars only for what the function
     * lacks (the SQS model for a function that never calls SQS, say).
     */
    private static final class AgentLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        AgentLoader(URL[] urls, ClassLoader function) {
            super("hipoa-local-agent", urls, function);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(AGENT_PACKAGE)) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = findClass(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }
    }
}
