package org.hipoa.local.internal;

import org.hipoa.local.iam.IamInterceptor;
import org.hipoa.local.iam.LocalIam;
import org.hipoa.local.iam.LocalPrincipal;
import org.hipoa.local.iam.ProviderUploader;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * IAM on the local stack, as template.yaml writes it: every principal (each function's role, each provider's upload
 * role, the operator) signs with its own key; S3Proxy verifies the signatures and {@link IamInterceptor} asks
 * {@link LocalIam} about every SDK call before it leaves the JVM, failing a denied one as the service would. The
 * resources the template names are bound to this stack's buckets, table and queues so the policies' ARNs match.
 */
public final class StackIam implements AutoCloseable {
    /** The deployment name the local stack's bucket names carry ({@link org.hipoa.local.StackNames#defaults()}). */
    public static final String STAGE = "local";

    private final LocalIam iam;
    private final LocalServers servers;
    private final String region;
    private final Map<String, SqsClient> roleSqs = new ConcurrentHashMap<>();

    private StackIam(LocalIam iam, LocalServers servers, String region) {
        this.iam = iam;
        this.servers = servers;
        this.region = region;
    }

    /** The template's policies bound to this stack's resources, enforced from now on in this JVM. */
    public static StackIam install(IamSpec spec, LocalServers servers) {
        IamSpec.Built built = spec.build();
        for (LocalPrincipal p : built.roles()) servers.registerCredentials(p.accessKeyId(), p.secretAccessKey());
        StackIam out = new StackIam(built.iam(), servers, spec.region());
        everyFunctionCanWriteItsLogs(built.iam(), built.template());
        IamInterceptor.install(built.iam(), built.model(), out.ports());
        return out;
    }

    /** The access key and secret a function running as this role signs with (what Lambda hands its runtime). */
    public LocalPrincipal role(String roleLogicalId) {
        return iam.role(roleLogicalId);
    }

    /** The SDK settings a function running as this role signs with. */
    public Map<String, String> credentials(String roleLogicalId) {
        LocalPrincipal p = iam.role(roleLogicalId);
        return Map.of("aws.accessKeyId", p.accessKeyId(), "aws.secretAccessKey", p.secretAccessKey());
    }

    /** An SQS client signed as this role: what Lambda's event source mapping polls with (the function's role). */
    public SqsClient sqsAs(String roleLogicalId) {
        return roleSqs.computeIfAbsent(roleLogicalId, r -> {
            LocalPrincipal p = iam.role(r);
            return SqsClient.builder().endpointOverride(servers.sqsEndpoint()).region(Region.of(region))
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey())))
                    .httpClientBuilder(AwsCrtHttpClient.builder()).build();
        });
    }

    /**
     * Lambda writes a function's logs with the function's role; without logs:CreateLogStream and logs:PutLogEvents
     * on its log group AWS runs the function and drops its logs without a word, so an operator finds out during an
     * incident. Stricter than AWS on purpose: such a role stops the local stack from starting.
     */
    static void everyFunctionCanWriteItsLogs(LocalIam iam, org.hipoa.local.iam.CfnTemplate cfn) {
        for (String fn : cfn.logicalIds("AWS::Serverless::Function")) {
            com.fasterxml.jackson.databind.JsonNode p = cfn.resource(fn).path("Properties");
            String role = org.hipoa.local.template.StackTemplate.logicalIdOf(refText(p.path("Role")));
            String group = refText(p.path("LoggingConfig").path("LogGroup"));
            if (role.isEmpty() || group.isEmpty() || iam.principal(role).isEmpty()) continue;
            String arn = cfn.getAtt(group, "Arn");
            for (String action : java.util.List.of("logs:CreateLogStream", "logs:PutLogEvents")) {
                if (!iam.decide(role, org.hipoa.local.iam.IamRequest.of(action, arn)).allowed()) {
                    throw new IllegalStateException(fn + ": its role " + role + " may not " + action + " on its log "
                            + "group " + arn + "; on AWS its logs would be lost without an error");
                }
            }
        }
    }

    /** The logical id a short-form !Ref / !GetAtt names, as CfnTemplate keeps it. */
    private static String refText(com.fasterxml.jackson.databind.JsonNode n) {
        if (n.has("Ref")) return n.get("Ref").asText();
        if (n.has("Fn::GetAtt")) {
            com.fasterxml.jackson.databind.JsonNode g = n.get("Fn::GetAtt");
            return g.isArray() ? g.get(0).asText() : g.asText();
        }
        return "";
    }

    /**
     * What CreateEventSourceMapping checks before it creates a mapping: the function's role may receive, delete and
     * read the attributes of the queue's messages (and decrypt them, for an SSE-KMS queue). AWS refuses the mapping
     * ("The provided execution role does not have permissions to call ReceiveMessage on SQS"), so the stack refuses
     * to start instead of polling into AccessDenied forever.
     */
    public void checkEventSourceMapping(String function, String roleLogicalId, String queueArn) {
        LocalPrincipal p = iam.role(roleLogicalId);
        for (String action : java.util.List.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")) {
            if (!iam.decide(p.accessKeyId(), org.hipoa.local.iam.IamRequest.of(action, queueArn)).allowed()) {
                throw new IllegalStateException(function + "'s SQS event: the provided execution role does not have "
                        + "permissions to call " + action.substring(4) + " on SQS (" + queueArn + ")");
            }
        }
    }

    /** An S3 client signed as this role (for tests that build a handler themselves, as Lambda would run it). */
    public software.amazon.awssdk.services.s3.S3Client s3As(String roleLogicalId) {
        LocalPrincipal p = iam.role(roleLogicalId);
        return software.amazon.awssdk.services.s3.S3Client.builder().endpointOverride(servers.s3Endpoint())
                .forcePathStyle(true).region(Region.of(region)).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey())))
                .httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    /** A DynamoDB client signed as this role. */
    public software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamoDbAs(String roleLogicalId) {
        LocalPrincipal p = iam.role(roleLogicalId);
        return software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
                .endpointOverride(servers.dynamoDbEndpoint()).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(p.accessKeyId(), p.secretAccessKey())))
                .httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    /** A provider's upload role session (template.yaml's ProviderUploadPolicy, tagged with the provider). */
    public LocalPrincipal provider(String provider) {
        LocalPrincipal p = iam.principal(ProviderUploader.named(provider).accessKeyId())
                .orElseGet(() -> iam.addProvider(ProviderUploader.named(provider)));
        servers.registerCredentials(p.accessKeyId(), p.secretAccessKey());
        return p;
    }

    public LocalIam iam() {
        return iam;
    }

    /** This stack's server ports: the calls the installation covers (another stack in this JVM keeps its own). */
    private java.util.List<Integer> ports() {
        return java.util.List.of(servers.s3Endpoint().getPort(), servers.sqsEndpoint().getPort(),
                servers.dynamoDbEndpoint().getPort());
    }

    @Override
    public void close() {
        IamInterceptor.uninstall(ports());
        roleSqs.values().forEach(SqsClient::close);
    }

}
