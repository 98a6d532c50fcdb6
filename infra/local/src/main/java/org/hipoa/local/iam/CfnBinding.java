package org.hipoa.local.iam;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What CloudFormation would know at deploy time and a template cannot say: the account, region, partition and stack
 * name (the pseudo parameters), parameter values that override the template's defaults, and, for any resource the
 * local stack created itself, its Ref value and attributes (a queue's URL on the local SQS, say). A resource not
 * bound here gets the physical name its template properties give ({@code BucketName}, …) or one generated from the
 * stack name, and the Ref and attributes AWS documents for its type ({@link CfnDefaults}).
 */
public final class CfnBinding {
    /** A resource's Ref value and any attributes ({@code Arn}, {@code QueueName}, …) bound explicitly. */
    public record Bound(String ref, Map<String, String> attributes) {
        public Bound {
            Objects.requireNonNull(ref, "ref");
            attributes = Map.copyOf(attributes);
        }
    }

    private final String account;
    private final String region;
    private final String partition;
    private final String stackName;
    private final String urlSuffix;
    private final Map<String, String> parameters;
    private final Map<String, String> physicalNames;
    private final Map<String, Bound> resources;

    private CfnBinding(Builder b) {
        this.account = b.account;
        this.region = b.region;
        this.partition = b.partition;
        this.stackName = b.stackName;
        this.urlSuffix = b.urlSuffix;
        this.parameters = Map.copyOf(b.parameters);
        this.physicalNames = Map.copyOf(b.physicalNames);
        this.resources = Map.copyOf(b.resources);
    }

    public static Builder builder() { return new Builder(); }

    public String account() { return account; }
    public String region() { return region; }
    public String partition() { return partition; }
    public String stackName() { return stackName; }
    public String urlSuffix() { return urlSuffix; }

    /** The value given for a template parameter, or null to take the template's default. */
    String parameter(String name) { return parameters.get(name); }

    /** The physical name given for a resource, or null. */
    String physicalName(String logicalId) { return physicalNames.get(logicalId); }

    /** The explicit binding of a resource (or of a SAM-generated one such as {@code PreprocessFunction.Alias}), or null. */
    Bound resource(String logicalId) { return resources.get(logicalId); }

    public static final class Builder {
        private String account = "000000000000";
        private String region = "us-east-1";
        private String partition = "aws";
        private String stackName = "hipoa-local";
        private String urlSuffix = "amazonaws.com";
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private final Map<String, String> physicalNames = new LinkedHashMap<>();
        private final Map<String, Bound> resources = new LinkedHashMap<>();

        /** {@code AWS::AccountId}; default 000000000000 (LocalStack's convention, as {@code StackNames} uses). */
        public Builder account(String v) {
            if (!v.matches("\\d{12}")) throw new IllegalArgumentException("an account ID is 12 digits: " + v);
            account = v;
            return this;
        }
        public Builder region(String v) { region = Objects.requireNonNull(v); return this; }
        public Builder partition(String v) { partition = Objects.requireNonNull(v); return this; }
        public Builder stackName(String v) { stackName = Objects.requireNonNull(v); return this; }
        public Builder urlSuffix(String v) { urlSuffix = Objects.requireNonNull(v); return this; }
        public Builder parameter(String name, String value) { parameters.put(name, Objects.requireNonNull(value)); return this; }
        public Builder physicalName(String logicalId, String name) { physicalNames.put(logicalId, name); return this; }
        public Builder resource(String logicalId, String ref, Map<String, String> attributes) {
            resources.put(logicalId, new Bound(ref, attributes));
            return this;
        }
        public CfnBinding build() { return new CfnBinding(this); }
    }
}
