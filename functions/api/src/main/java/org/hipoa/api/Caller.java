package org.hipoa.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import org.hipoa.aws.GrantStore;
import org.hipoa.domain.result.ResultRecord;

import java.util.Optional;
import java.util.Set;

/**
 * Who is asking: the API key API Gateway puts in the request context after checking it. Its grants are read only
 * once a request has passed validation, so malformed requests cost no table read.
 */
final class Caller {
    private final GrantStore grants;
    private final Optional<String> apiKey;
    private Set<String> providers;

    Caller(GrantStore grants, APIGatewayProxyRequestEvent request) {
        this.grants = grants;
        this.apiKey = Optional.ofNullable(request.getRequestContext())
                .map(APIGatewayProxyRequestEvent.ProxyRequestContext::getIdentity)
                .map(APIGatewayProxyRequestEvent.RequestIdentity::getApiKey).filter(k -> !k.isBlank());
    }

    /** The providers this key is granted; a 403 without a key. */
    Set<String> providers() {
        if (providers == null) {
            providers = grants.providersFor(apiKey.orElseThrow(
                    () -> ApiError.forbidden("This API needs an API key (x-api-key).")));
        }
        return providers;
    }

    boolean mayRead(ResultRecord r) {
        return r.provider().map(p -> providers().contains(p.name())).orElse(false);
    }
}
