package org.hipoa.local;

import org.hipoa.api.ApiContract;

/** A partner client of the local stack whose every answer must validate against functions/api/openapi.yaml. */
final class CheckedApi {
    private CheckedApi() {}

    static LocalApiClient client(EmbeddedAws aws) {
        return new LocalApiClient(aws.apiBaseUrl(), aws.apiKey()).observing(x ->
                ApiContract.assertValid(x.method(), x.pathAndQuery(), x.status(), x.headers(), x.body()));
    }
}
