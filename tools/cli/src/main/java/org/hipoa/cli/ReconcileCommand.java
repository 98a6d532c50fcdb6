package org.hipoa.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.aws.ResultQueries;
import org.hipoa.domain.result.ResultRecord;
import org.hipoa.domain.upload.Keys;
import org.hipoa.domain.upload.UploadRef;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./hipoa reconcile --bucket INGEST_BUCKET [--table TABLE]}: every object version under {@code incoming/}
 * against the results table; prints one JSON line for each upload without a terminal item
 * ({@code {"uploadId","key","versionId","lastModified","status"}}, status MISSING, RECEIVED or PREPROCESSED) and a
 * summary on stderr. Exit 0 when every upload is GRADED or FAILED, 2 otherwise. The same rule as the stack's
 * StuckUploadsAlarm, seen from the bucket's side, so it also finds uploads whose event never arrived.
 *
 * <p>Endpoints, region and credentials come from the SDK's own settings (AWS_ENDPOINT_URL_S3 … for the local
 * stack). The HMAC key that turns an object into its uploadId is read from STUDY_KEY_SECRET (environment or system
 * property), never from the command line; TABLE_NAME is the default table. The output names object keys: it is for
 * operators, not partners.
 */
final class ReconcileCommand {
    static final Args.Spec SPEC = Args.Spec.of("bucket", "table");

    /** One object version as S3 lists it. */
    record Listed(String key, Optional<String> versionId, String eTag, Instant lastModified) {}

    private ReconcileCommand() {}

    static int run(Args a, PrintStream out) {
        PipelineConfig config = PipelineConfig.fromEnvironment();
        try (S3Client s3 = AwsClients.s3(); DynamoDbClient dynamo = AwsClients.dynamoDb()) {
            return run(a.required("bucket"), a.optional("table", config.tableName()), config.requireKeys(), s3,
                    dynamo, out, System.err);
        }
    }

    static int run(String bucket, String table, Keys keys, S3Client s3, DynamoDbClient dynamo, PrintStream out,
                   PrintStream err) {
        if (table == null) throw new IllegalArgumentException("--table or TABLE_NAME is required");
        ResultQueries results = new ResultQueries(dynamo, table);
        ObjectMapper json = new ObjectMapper();
        int total = 0, unfinished = 0;
        for (Listed o : list(s3, bucket)) {
            total++;
            // As the event would name it: the versionId in a versioned bucket, else the eTag.
            UploadRef ref = new UploadRef(bucket, o.key(), o.versionId(), o.eTag(), UploadRef.providerOf(o.key()));
            String uploadId = ref.uploadId(keys);
            Optional<ResultRecord> item = results.get(uploadId);
            if (item.isPresent() && item.get().status().isTerminal()) continue;
            unfinished++;
            ObjectNode line = json.createObjectNode();
            line.put("uploadId", uploadId);
            line.put("key", o.key());
            o.versionId().ifPresent(v -> line.put("versionId", v));
            line.put("lastModified", ResultRecord.TIME.format(o.lastModified()));
            line.put("status", item.map(r -> r.status().name()).orElse("MISSING"));
            out.println(line);
        }
        err.printf("reconcile: %d uploads under %s, %d finished, %d not finished%n", total, UploadRef.INCOMING,
                total - unfinished, unfinished);
        return unfinished == 0 ? 0 : 2;
    }

    /** Every version of every object under incoming/ (delete markers are not uploads). */
    static List<Listed> list(S3Client s3, String bucket) {
        List<Listed> out = new ArrayList<>();
        try {
            for (ObjectVersion v : s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(UploadRef.INCOMING))
                    .versions()) {
                Optional<String> version = Optional.ofNullable(v.versionId()).filter(id -> !id.equals("null"));
                out.add(new Listed(v.key(), version, unquote(v.eTag()), v.lastModified()));
            }
            return out;
        } catch (S3Exception e) {
            if (e.statusCode() != 501 && e.statusCode() != 400 && e.statusCode() != 405) throw e;
        }
        // A store without versioning support (some S3-compatible servers): current objects only.
        out.clear();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(UploadRef.INCOMING)).contents()) {
            out.add(new Listed(o.key(), Optional.empty(), unquote(o.eTag()), o.lastModified()));
        }
        return out;
    }

    private static String unquote(String eTag) {
        return eTag == null ? "" : eTag.replace("\"", "");
    }
}
