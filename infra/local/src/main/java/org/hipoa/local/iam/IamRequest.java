package org.hipoa.local.iam;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One authorisation question as IAM asks it: an action ({@code s3:GetObject}), the resource's ARN, and the request's
 * context keys ({@code s3:prefix}, {@code dynamodb:LeadingKeys}, {@code aws:SecureTransport}, …), each multi-valued.
 * The principal's own keys ({@code aws:PrincipalTag/…}, {@code aws:PrincipalArn}) are added by the evaluator.
 */
public record IamRequest(String action, String resource, Map<String, List<String>> context) {
    public IamRequest {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resource, "resource");
        context = Map.copyOf(context);
    }

    public static IamRequest of(String action, String resource) {
        return new IamRequest(action, resource, Map.of());
    }
}
