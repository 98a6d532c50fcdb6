package org.hipoa.local.internal;

/** Fixed identities of the local stack (never real ones). */
public final class EmbeddedIds {
    private EmbeddedIds() {}

    /** The account id in every local ARN (LocalStack and ElasticMQ use the same). */
    public static final String ACCOUNT = "000000000000";
    /** The harness's own (operator) credentials; each function and provider signs with its own (local IAM). */
    public static final String ACCESS_KEY_ID = org.hipoa.local.iam.LocalIam.ADMIN_ACCESS_KEY;
    public static final String SECRET_ACCESS_KEY = "hipoa-local-secret";
}
