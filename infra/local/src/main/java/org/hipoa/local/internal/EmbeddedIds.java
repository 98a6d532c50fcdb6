package org.hipoa.local.internal;

/** Fixed identities of the local stack (never real ones). */
public final class EmbeddedIds {
    private EmbeddedIds() {}

    /** The account id in every local ARN (LocalStack and ElasticMQ use the same). */
    public static final String ACCOUNT = "000000000000";
    /** Local S3Proxy credentials; dynalite and ElasticMQ accept any. */
    public static final String ACCESS_KEY_ID = "hipoa-local";
    public static final String SECRET_ACCESS_KEY = "hipoa-local-secret";
}
