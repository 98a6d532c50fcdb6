package org.hipoa.local.runtime;

import org.hipoa.local.iam.IamInterceptor;
import org.hipoa.local.internal.IamSpec;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The local IAM inside a function process ({@link IamAgent}): the SDK of the function's package loads this as a
 * global interceptor, and on first use it builds the stack's IAM from the settings the stack handed the process
 * ({@value #SPEC_VARIABLE} names them) and enforces it on every call, exactly as {@link IamInterceptor} does in the
 * stack's JVM. Without those settings it refuses to build: a function process must never run unchecked.
 */
public final class ChildIam implements ExecutionInterceptor {
    /** The variable naming the JSON file of the stack's {@link IamSpec}. */
    public static final String SPEC_VARIABLE = "HIPOA_LOCAL_IAM";

    static {
        String spec = System.getenv(SPEC_VARIABLE);
        if (spec == null || spec.isBlank()) {
            throw new IllegalStateException(SPEC_VARIABLE + " is not set: the local IAM cannot be built in this process");
        }
        IamSpec.Built built = IamSpec.read(Path.of(spec)).build();
        IamInterceptor.install(built.iam(), built.model());
    }

    private final IamInterceptor delegate = new IamInterceptor();

    public ChildIam() {}

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        delegate.beforeTransmission(context, attributes);
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        return delegate.modifyHttpResponse(context, attributes);
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        return delegate.modifyHttpResponseContent(context, attributes);
    }
}
