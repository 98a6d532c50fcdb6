package org.hipoa.local;

import org.hipoa.api.ApiContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The API Gateway emulation follows the document where it copies a setting of it (no stack needed). */
class GatewayEmulationContractTest {
    @Test
    void binaryMediaTypes_areTheDocuments() {
        // A PNG leaves the local gateway as bytes exactly when it would leave API Gateway as bytes.
        assertEquals(ApiContract.BINARY_MEDIA_TYPES, ApiGatewayServer.BINARY_MEDIA_TYPES);
    }
}
