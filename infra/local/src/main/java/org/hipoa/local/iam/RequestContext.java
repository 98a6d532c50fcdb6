package org.hipoa.local.iam;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The request context one evaluation reads: the request's own keys, then the principal's, which win (a caller
 * cannot pass its own {@code aws:PrincipalTag/...}). Key names are case-insensitive, as IAM's condition keys are;
 * values are not.
 */
final class RequestContext {
    private final Map<String, List<String>> keys = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    RequestContext(IamRequest request, LocalPrincipal principal) {
        keys.putAll(request.context());
        principal.contextKeys().forEach(keys::put);
    }

    /** The key's values; null when the request does not carry the key. */
    List<String> values(String key) {
        return keys.get(key);
    }
}
