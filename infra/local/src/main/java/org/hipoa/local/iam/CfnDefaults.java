package org.hipoa.local.iam;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The Ref value and attributes AWS documents for each resource type the template uses ("Resource and property
 * reference", the Return values of each type), for a resource the local stack did not bind explicitly. Physical
 * names come from the type's name property when the template sets one, else from the stack name and logical ID
 * (CloudFormation adds a random suffix; here it is left off so names are predictable).
 */
final class CfnDefaults {
    private static final Map<String, String> NAME_PROPERTY = Map.ofEntries(
            Map.entry("AWS::S3::Bucket", "BucketName"), Map.entry("AWS::SQS::Queue", "QueueName"),
            Map.entry("AWS::DynamoDB::Table", "TableName"), Map.entry("AWS::IAM::Role", "RoleName"),
            Map.entry("AWS::IAM::ManagedPolicy", "ManagedPolicyName"), Map.entry("AWS::Logs::LogGroup", "LogGroupName"),
            Map.entry("AWS::Serverless::Function", "FunctionName"), Map.entry("AWS::Lambda::Function", "FunctionName"),
            Map.entry("AWS::SNS::Topic", "TopicName"), Map.entry("AWS::SecretsManager::Secret", "Name"),
            Map.entry("AWS::StepFunctions::StateMachine", "StateMachineName"), Map.entry("AWS::Serverless::Api", "Name"));

    private CfnDefaults() {}

    /** The resource's physical name; {@code property} resolves one of its top-level properties to text, or null. */
    static String physicalName(String logicalId, String type, CfnBinding b, Function<String, String> property) {
        String given = b.physicalName(logicalId);
        if (given != null) return given;
        String prop = NAME_PROPERTY.get(type);
        String named = prop == null ? null : property.apply(prop);
        if (named != null) return named;
        String generated = b.stackName() + "-" + logicalId;
        return type.equals("AWS::S3::Bucket") ? generated.toLowerCase(Locale.ROOT) : generated;
    }

    static String ref(String logicalId, String type, String name, CfnBinding b, Function<String, String> property) {
        return switch (type) {
            case "AWS::SQS::Queue" -> attribute(logicalId, type, name, "QueueUrl", b, property);
            case "AWS::KMS::Key" -> keyId(logicalId, b);
            case "AWS::IAM::ManagedPolicy", "AWS::SNS::Topic", "AWS::SecretsManager::Secret",
                 "AWS::StepFunctions::StateMachine" -> attribute(logicalId, type, name, "Arn", b, property);
            case "AWS::Serverless::Api" -> apiId(logicalId, b);
            default -> name;
        };
    }

    static String attribute(String logicalId, String type, String name, String attribute, CfnBinding b,
                            Function<String, String> property) {
        String p = b.partition();
        String r = b.region();
        String a = b.account();
        String value = switch (type + "." + attribute) {
            case "AWS::S3::Bucket.Arn" -> "arn:" + p + ":s3:::" + name;
            case "AWS::S3::Bucket.DomainName" -> name + ".s3." + b.urlSuffix();
            case "AWS::S3::Bucket.RegionalDomainName" -> name + ".s3." + r + "." + b.urlSuffix();
            case "AWS::SQS::Queue.Arn" -> "arn:" + p + ":sqs:" + r + ":" + a + ":" + name;
            case "AWS::SQS::Queue.QueueName" -> name;
            case "AWS::SQS::Queue.QueueUrl" -> "https://sqs." + r + "." + b.urlSuffix() + "/" + a + "/" + name;
            case "AWS::DynamoDB::Table.Arn" -> "arn:" + p + ":dynamodb:" + r + ":" + a + ":table/" + name;
            case "AWS::KMS::Key.Arn" -> "arn:" + p + ":kms:" + r + ":" + a + ":key/" + keyId(logicalId, b);
            case "AWS::KMS::Key.KeyId" -> keyId(logicalId, b);
            case "AWS::IAM::Role.Arn" -> "arn:" + p + ":iam::" + a + ":role" + path(property) + name;
            case "AWS::IAM::Role.RoleId" -> "AROA" + hex(b.stackName() + "/" + logicalId, 8).toUpperCase(Locale.ROOT);
            case "AWS::IAM::ManagedPolicy.Arn", "AWS::IAM::ManagedPolicy.PolicyArn" ->
                    "arn:" + p + ":iam::" + a + ":policy" + path(property) + name;
            case "AWS::Logs::LogGroup.Arn" -> "arn:" + p + ":logs:" + r + ":" + a + ":log-group:" + name + ":*";
            case "AWS::Serverless::Function.Arn", "AWS::Lambda::Function.Arn" ->
                    "arn:" + p + ":lambda:" + r + ":" + a + ":function:" + name;
            case "AWS::SNS::Topic.Arn", "AWS::SNS::Topic.TopicArn" -> "arn:" + p + ":sns:" + r + ":" + a + ":" + name;
            case "AWS::SNS::Topic.TopicName", "AWS::StepFunctions::StateMachine.Name" -> name;
            case "AWS::SecretsManager::Secret.Arn", "AWS::SecretsManager::Secret.Id" ->
                    "arn:" + p + ":secretsmanager:" + r + ":" + a + ":secret:" + name + "-" + hex(name, 3);
            case "AWS::StepFunctions::StateMachine.Arn" -> "arn:" + p + ":states:" + r + ":" + a + ":stateMachine:" + name;
            default -> null;
        };
        if (value == null) throw new CfnException("no local value for " + logicalId + "." + attribute + " (" + type
                + "): bind it in CfnBinding");
        return value;
    }

    /** SAM's generated {@code Function.Alias} (AutoPublishAlias) and {@code Function.Version}: the versioned ARN. */
    static String functionQualifier(String functionArn, String qualifier) {
        return functionArn + ":" + qualifier;
    }

    private static String path(Function<String, String> property) {
        String path = property.apply("Path");
        return path == null ? "/" : path;
    }

    private static String keyId(String logicalId, CfnBinding b) {
        return UUID.nameUUIDFromBytes((b.account() + "/" + b.stackName() + "/" + logicalId)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String apiId(String logicalId, CfnBinding b) {
        return hex(b.stackName() + "/" + logicalId, 5);
    }

    private static String hex(String seed, int bytes) {
        byte[] h = UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString().getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(h).substring(0, bytes * 2);
    }
}
