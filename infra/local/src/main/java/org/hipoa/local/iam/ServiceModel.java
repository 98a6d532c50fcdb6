package org.hipoa.local.iam;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the local stack's resources are, as IAM needs to know them to name an SDK call's resources and the KMS checks
 * the service makes on the caller's behalf: filled by whoever builds the stack (from template.yaml), read by
 * {@link SdkIamMapping}. A resource the model does not list is refused rather than guessed at (its encryption key,
 * its key schema would be unknown), so a call to it fails closed with a message naming it.
 *
 * @param account    the account id in every ARN
 * @param region     the region in every regional ARN and in {@code aws:RequestedRegion}
 * @param buckets    S3 buckets by name
 * @param tables     DynamoDB tables by name
 * @param queues     SQS queues by URL (the URL the local server hands out)
 * @param secrets    Secrets Manager secrets by name (their ARN carries a random suffix)
 * @param principals access key id → principal ARN, for the "User: …" of an AccessDenied message; a key not listed
 *                   is named by the key id itself
 */
public record ServiceModel(String account, String region, Map<String, Bucket> buckets, Map<String, Table> tables,
                           Map<String, Queue> queues, Map<String, Secret> secrets, Map<String, String> principals) {

    public ServiceModel {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(region, "region");
        buckets = Map.copyOf(buckets);
        tables = Map.copyOf(tables);
        queues = Map.copyOf(queues);
        secrets = Map.copyOf(secrets);
        principals = Map.copyOf(principals);
    }

    /** @param kmsKeyArn the key of the bucket's default SSE-KMS encryption; null when the default is SSE-S3 */
    public record Bucket(String name, String kmsKeyArn) {
        public Bucket {
            Objects.requireNonNull(name, "name");
        }

        public Optional<String> kmsKey() { return Optional.ofNullable(kmsKeyArn); }
    }

    /**
     * @param hashKey        the table's partition key attribute
     * @param indexHashKeys  each global or local secondary index's partition key attribute, by index name
     */
    public record Table(String name, String hashKey, Map<String, String> indexHashKeys) {
        public Table {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(hashKey, "hashKey");
            indexHashKeys = Map.copyOf(indexHashKeys);
        }
    }

    /** @param kmsKeyArn the queue's SSE-KMS key; null for SQS-managed encryption or none */
    public record Queue(String url, String arn, String kmsKeyArn) {
        public Queue {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(arn, "arn");
        }

        public Optional<String> kmsKey() { return Optional.ofNullable(kmsKeyArn); }

        /** The queue's name: the last part of its ARN. */
        public String name() { return arn.substring(arn.lastIndexOf(':') + 1); }
    }

    public record Secret(String name, String arn) {
        public Secret {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arn, "arn");
        }
    }

    public static Builder builder(String account, String region) { return new Builder(account, region); }

    public String principalArn(String accessKeyId) { return principals.getOrDefault(accessKeyId, accessKeyId); }

    public Optional<Queue> queueByName(String name) {
        return queues.values().stream().filter(q -> q.name().equals(name)).findFirst();
    }

    public Optional<Secret> secret(String idOrArn) {
        Secret byName = secrets.get(idOrArn);
        if (byName != null) return Optional.of(byName);
        return secrets.values().stream().filter(s -> s.arn().equals(idOrArn)).findFirst();
    }

    public static final class Builder {
        private final String account;
        private final String region;
        private final Map<String, Bucket> buckets = new HashMap<>();
        private final Map<String, Table> tables = new HashMap<>();
        private final Map<String, Queue> queues = new HashMap<>();
        private final Map<String, Secret> secrets = new HashMap<>();
        private final Map<String, String> principals = new HashMap<>();

        private Builder(String account, String region) {
            this.account = account;
            this.region = region;
        }

        /** @param kmsKeyArn null when the bucket's default encryption is SSE-S3 */
        public Builder bucket(String name, String kmsKeyArn) {
            buckets.put(name, new Bucket(name, kmsKeyArn));
            return this;
        }

        public Builder table(String name, String hashKey, Map<String, String> indexHashKeys) {
            tables.put(name, new Table(name, hashKey, indexHashKeys));
            return this;
        }

        /** The queue's ARN is built from its name, as SQS names it in this model's account and region. */
        public Builder queue(String url, String name, String kmsKeyArn) {
            queues.put(url, new Queue(url, "arn:aws:sqs:" + region + ":" + account + ":" + name, kmsKeyArn));
            return this;
        }

        public Builder secret(String name, String arn) {
            secrets.put(name, new Secret(name, arn));
            return this;
        }

        public Builder principal(String accessKeyId, String arn) {
            principals.put(accessKeyId, arn);
            return this;
        }

        public ServiceModel build() {
            return new ServiceModel(account, region, buckets, tables, queues, secrets, principals);
        }
    }

    /** The queues' URLs, for messages that list what the model knows. */
    List<String> queueUrls() { return queues.keySet().stream().sorted().toList(); }
}
