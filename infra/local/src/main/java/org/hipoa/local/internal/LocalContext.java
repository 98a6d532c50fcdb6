package org.hipoa.local.internal;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** The Lambda {@link Context} of one local invocation: the names Lambda would give, a deadline, stderr as the log. */
public final class LocalContext implements Context {
    private final String functionName;
    private final String region;
    private final int memoryMb;
    private final long deadlineMillis;
    private final String requestId = UUID.randomUUID().toString();
    private final String logStream;

    public LocalContext(String functionName, String region, int memoryMb, long timeoutMillis, String logStream) {
        this.functionName = functionName;
        this.region = region;
        this.memoryMb = memoryMb;
        this.deadlineMillis = System.currentTimeMillis() + timeoutMillis;
        this.logStream = logStream;
    }

    @Override public String getAwsRequestId() { return requestId; }
    @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
    @Override public String getLogStreamName() { return logStream; }
    @Override public String getFunctionName() { return functionName; }
    @Override public String getFunctionVersion() { return "$LATEST"; }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:" + region + ":" + EmbeddedIds.ACCOUNT + ":function:" + functionName;
    }

    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, deadlineMillis - System.currentTimeMillis());
    }

    @Override public int getMemoryLimitInMB() { return memoryMb; }

    @Override
    public LambdaLogger getLogger() {
        return STDERR;
    }

    private static final LambdaLogger STDERR = new LambdaLogger() {
        @Override
        public void log(String message) {
            System.err.print(message);
        }

        @Override
        public void log(byte[] message) {
            System.err.print(new String(message, StandardCharsets.UTF_8));
        }

        @Override
        public void log(String message, LogLevel level) {
            System.err.print(message);
        }
    };
}
