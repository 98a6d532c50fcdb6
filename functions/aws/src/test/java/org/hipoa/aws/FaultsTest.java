package org.hipoa.aws;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retry only what a retry can fix: SDK and I/O trouble; a fault of our code on this input is permanent. */
class FaultsTest {
    @Test
    void sdkAndIoErrors_areTransient_alsoWhenWrapped() {
        assertTrue(Faults.isTransient(SdkClientException.create("connection reset")));
        assertTrue(Faults.isTransient(ProvisionedThroughputExceededException.builder().message("slow down").build()));
        assertTrue(Faults.isTransient(S3Exception.builder().statusCode(503).message("SlowDown").build()));
        assertTrue(Faults.isTransient(new UncheckedIOException(new IOException("broken pipe"))));
        assertTrue(Faults.isTransient(new IllegalStateException("wrapped", SdkClientException.create("timeout"))));
    }

    @Test
    void everythingElse_isPermanent() {
        assertFalse(Faults.isTransient(new IllegalArgumentException("centre")));
        assertFalse(Faults.isTransient(new ArithmeticException("/ by zero")));
        assertFalse(Faults.isTransient(new NullPointerException()));
        assertFalse(Faults.isTransient(new IllegalStateException("no cause")));
    }

    @Test
    void partnerMessage_namesNoInternals() {
        assertFalse(Faults.INTERNAL_MESSAGE.matches(".*(Exception|java\\\\.|offset).*"));
    }
}
