package org.hipoa.local.runtime;

import java.util.List;
import java.util.Objects;

/** What one invocation of a {@link LambdaProcess} came to, in the shape Lambda's Invoke reports it. */
public sealed interface InvokeResult {

    /** The function's response payload (JSON as the runtime serialised it). */
    record Success(String payload) implements InvokeResult {
        public Success {
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** Which side failed, as Lambda tells them apart. */
    enum Kind {
        /** The handler threw; the runtime posted /invocation/{id}/error (Invoke: FunctionError "Unhandled"). */
        FUNCTION_ERROR,
        /** The runtime posted /init/error: the handler could not be built (static initialiser, constructor). */
        INIT_ERROR,
        /** The invocation ran past the function's Timeout; Lambda stops the environment. */
        TIMEOUT,
        /** The environment used more memory than MemorySize and was killed. */
        OUT_OF_MEMORY,
        /** The runtime process ended without answering. */
        RUNTIME_EXITED,
        /** The response was over Lambda's 6 MB synchronous payload limit. */
        RESPONSE_TOO_LARGE
    }

    /**
     * A failed invocation: {@code errorType}/{@code errorMessage} as Lambda's Invoke returns them in the payload
     * ({@code {"errorMessage": …, "errorType": …}}); {@code runtimeErrorType} the runtime's
     * {@code Lambda-Runtime-Function-Error-Type} header ("Runtime.UserException", "Runtime.BadFunctionCode") where
     * the runtime reported it, else null.
     */
    record Failure(Kind kind, String errorType, String errorMessage, List<String> stackTrace,
                   String runtimeErrorType) implements InvokeResult {
        public Failure {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(errorMessage, "errorMessage");
            stackTrace = stackTrace == null ? List.of() : List.copyOf(stackTrace);
        }

        static Failure of(Kind kind, String errorType, String errorMessage) {
            return new Failure(kind, errorType, errorMessage, List.of(), null);
        }
    }

    /** The payload of a success. @throws LambdaInvocationException for a failure */
    default String payloadOrThrow() {
        return switch (this) {
            case Success s -> s.payload();
            case Failure f -> throw new LambdaInvocationException(f);
        };
    }

    /** A failed invocation as an exception, for callers that treat any failure as one. */
    final class LambdaInvocationException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Failure failure;

        public LambdaInvocationException(Failure failure) {
            super(failure.kind() + " " + failure.errorType() + ": " + failure.errorMessage());
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }
}
