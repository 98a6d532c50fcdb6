package org.hipoa.local.iam;

import org.hipoa.local.iam.SdkIamMapping.Requests;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Request;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Map.entry;
import static org.hipoa.local.iam.SdkIamMapping.operation;
import static org.hipoa.local.iam.SdkIamMapping.unmapped;

/**
 * S3's actions per operation, from the S3 user guide's "Required permissions for Amazon S3 API operations" and the
 * API reference's "Permissions" sections; the KMS checks from "Specifying server-side encryption with AWS KMS" and
 * "Multipart upload API and permissions".
 */
final class S3Mapping {
    private S3Mapping() {}

    /** The headers S3 exposes as condition keys on writes ({@code s3:<header>}), when the request carries them. */
    private static final List<String> WRITE_CONDITION_HEADERS = List.of(
            "x-amz-server-side-encryption",
            "x-amz-server-side-encryption-aws-kms-key-id",
            "x-amz-server-side-encryption-customer-algorithm",
            "x-amz-storage-class");

    /** Bucket-level operations whose IAM action is not simply s3:&lt;operation&gt;. */
    private static final Map<String, String> BUCKET_ACTIONS = Map.ofEntries(
            entry("HeadBucket", "s3:ListBucket"),
            entry("ListObjectVersions", "s3:ListBucketVersions"),
            entry("ListMultipartUploads", "s3:ListBucketMultipartUploads"),
            entry("GetBucketEncryption", "s3:GetEncryptionConfiguration"),
            entry("PutBucketEncryption", "s3:PutEncryptionConfiguration"),
            entry("DeleteBucketEncryption", "s3:PutEncryptionConfiguration"),
            entry("GetBucketNotificationConfiguration", "s3:GetBucketNotification"),
            entry("PutBucketNotificationConfiguration", "s3:PutBucketNotification"),
            entry("GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
            entry("PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
            entry("DeleteBucketLifecycle", "s3:PutLifecycleConfiguration"),
            entry("GetBucketCors", "s3:GetBucketCORS"),
            entry("PutBucketCors", "s3:PutBucketCORS"),
            entry("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
            entry("PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
            entry("GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
            entry("PutBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
            entry("DeleteBucketTagging", "s3:PutBucketTagging"),
            entry("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
            entry("DeleteBucket", "s3:DeleteBucket"),
            entry("CreateBucket", "s3:CreateBucket"));

    /** Bucket-level operations that are s3:&lt;operation&gt; on the bucket's ARN. */
    private static final List<String> SAME_NAME_BUCKET_OPERATIONS = List.of(
            "GetBucketLocation", "GetBucketVersioning", "PutBucketVersioning", "GetBucketPolicy", "PutBucketPolicy",
            "GetBucketTagging", "PutBucketTagging", "GetBucketAcl", "PutBucketAcl", "GetBucketLogging",
            "PutBucketLogging", "GetBucketPolicyStatus", "GetBucketWebsite", "PutBucketWebsite");

    /** Object-level operations that are s3:&lt;operation&gt; on the object's ARN, with no KMS use. */
    private static final List<String> SAME_NAME_OBJECT_OPERATIONS = List.of(
            "AbortMultipartUpload", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging", "GetObjectAcl",
            "PutObjectAcl", "RestoreObject", "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold",
            "PutObjectLegalHold");

    static void map(S3Request r, Map<String, List<String>> headers, Requests out) {
        String op = operation(r);
        switch (r) {
            case GetObjectRequest g -> read(g.bucket(), g.key(), g.versionId(), out, true);
            case HeadObjectRequest h -> read(h.bucket(), h.key(), h.versionId(), out, true);
            case CopyObjectRequest c -> {
                read(c.sourceBucket(), c.sourceKey(), c.sourceVersionId(), out, true);
                write(c.destinationBucket(), c.destinationKey(), headers, out, false);
            }
            case UploadPartCopyRequest c -> {
                read(c.sourceBucket(), c.sourceKey(), c.sourceVersionId(), out, true);
                write(c.destinationBucket(), c.destinationKey(), headers, out, true);
            }
            case DeleteObjectRequest d -> out.add(d.versionId() == null ? "s3:DeleteObject" : "s3:DeleteObjectVersion",
                    objectArn(bucket(d.bucket(), out, op), d.key()), Map.of());
            case DeleteObjectsRequest d -> {
                String bucket = bucket(d.bucket(), out, op).name();
                for (ObjectIdentifier o : d.delete().objects()) {
                    out.add(o.versionId() == null ? "s3:DeleteObject" : "s3:DeleteObjectVersion",
                            objectArn(bucket, o.key()), Map.of());
                }
            }
            case ListObjectsV2Request l -> list(l.bucket(), l.prefix(), l.delimiter(), l.maxKeys(), out);
            case ListObjectsRequest l -> list(l.bucket(), l.prefix(), l.delimiter(), l.maxKeys(), out);
            default -> other(r, op, headers, out);
        }
    }

    private static void other(S3Request r, String op, Map<String, List<String>> headers, Requests out) {
        switch (op) {
            case "PutObject" -> write(field(r, "Bucket"), field(r, "Key"), headers, out, false);
            // Multipart: S3 decrypts the upload's data key for every part and at completion, so each step needs
            // kms:Decrypt besides kms:GenerateDataKey (S3 user guide, "Multipart upload API and permissions").
            case "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload" ->
                    write(field(r, "Bucket"), field(r, "Key"), headers, out, true);
            case "ListParts" -> out.add("s3:ListMultipartUploadParts",
                    objectArn(bucket(field(r, "Bucket"), out, op), field(r, "Key")), Map.of());
            case "ListBuckets" -> out.add("s3:ListAllMyBuckets", "*", Map.of());
            default -> {
                String action = BUCKET_ACTIONS.get(op);
                if (action == null && SAME_NAME_BUCKET_OPERATIONS.contains(op)) action = "s3:" + op;
                if (action != null) {
                    out.add(action, "arn:aws:s3:::" + field(r, "Bucket"), Map.of());
                } else if (SAME_NAME_OBJECT_OPERATIONS.contains(op)) {
                    out.add("s3:" + op, objectArn(bucket(field(r, "Bucket"), out, op), field(r, "Key")), Map.of());
                } else {
                    throw unmapped(r, "the operation");
                }
            }
        }
    }

    private static String field(S3Request r, String name) {
        return r.getValueForField(name, String.class).orElseThrow(() -> unmapped(r, "a call without " + name));
    }

    /** A versioned read needs s3:GetObjectVersion and not s3:GetObject (S3 API reference, GetObject "versionId"). */
    private static void read(String bucketName, String key, String versionId, Requests out, boolean decrypts) {
        ServiceModel.Bucket bucket = bucket(bucketName, out, "read");
        out.add(versionId == null ? "s3:GetObject" : "s3:GetObjectVersion", objectArn(bucket, key), Map.of());
        // Objects take the bucket's default key: every write path of the stack leaves the encryption to the bucket.
        if (decrypts) bucket.kmsKey().ifPresent(k -> out.kms("kms:Decrypt", k, "s3"));
    }

    private static void write(String bucketName, String key, Map<String, List<String>> headers, Requests out,
                              boolean multipart) {
        ServiceModel.Bucket bucket = bucket(bucketName, out, "write");
        Map<String, List<String>> context = new LinkedHashMap<>();
        for (String h : WRITE_CONDITION_HEADERS) header(headers, h).ifPresent(v -> context.put("s3:" + h, List.of(v)));
        out.add("s3:PutObject", objectArn(bucket, key), context);
        writeKey(bucket, headers, out).ifPresent(k -> {
            out.kms("kms:GenerateDataKey", k, "s3");
            if (multipart) out.kms("kms:Decrypt", k, "s3");
        });
    }

    /**
     * The key S3 encrypts a write with: the one the request names, the AWS managed key when it asks for SSE-KMS
     * without naming one, none for SSE-S3 or SSE-C, otherwise the bucket's default.
     */
    private static Optional<String> writeKey(ServiceModel.Bucket bucket, Map<String, List<String>> headers,
                                             Requests out) {
        Optional<String> sse = header(headers, "x-amz-server-side-encryption");
        if (sse.isPresent()) {
            if (!sse.get().startsWith("aws:kms")) return Optional.empty();
            return Optional.of(out.kmsKeyArn(header(headers, "x-amz-server-side-encryption-aws-kms-key-id")
                    .orElse("alias/aws/s3")));
        }
        if (header(headers, "x-amz-server-side-encryption-customer-algorithm").isPresent()) return Optional.empty();
        return bucket.kmsKey();
    }

    private static void list(String bucketName, String prefix, String delimiter, Integer maxKeys, Requests out) {
        Map<String, List<String>> context = new LinkedHashMap<>();
        if (prefix != null) context.put("s3:prefix", List.of(prefix));
        if (delimiter != null) context.put("s3:delimiter", List.of(delimiter));
        if (maxKeys != null) context.put("s3:max-keys", List.of(maxKeys.toString()));
        out.add("s3:ListBucket", "arn:aws:s3:::" + bucketName, context);
    }

    static ServiceModel.Bucket bucket(String name, Requests out, String what) {
        ServiceModel.Bucket b = out.model.buckets().get(name);
        if (b == null) {
            throw new SdkIamMapping.UnmappedRequestException("S3 " + what + ": bucket '" + name
                    + "' is not in the local stack's service model (known: " + out.model.buckets().keySet().stream()
                    .sorted().toList() + ")");
        }
        return b;
    }

    static String objectArn(ServiceModel.Bucket bucket, String key) { return objectArn(bucket.name(), key); }

    static String objectArn(String bucket, String key) { return "arn:aws:s3:::" + bucket + "/" + key; }

    private static Optional<String> header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return Optional.of(e.getValue().get(0));
        }
        return Optional.empty();
    }
}
