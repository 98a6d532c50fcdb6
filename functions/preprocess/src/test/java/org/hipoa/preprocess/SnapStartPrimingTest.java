package org.hipoa.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.model.ShippedModel;
import org.hipoa.domain.Side;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SnapStart priming (the CRaC beforeCheckpoint hook the handler registers) prepares the phantom film the package
 * carries through the real path with the shipped localiser, and no AWS client is asked for anything: every SDK
 * client the handler holds records each call it starts. The checkpoint and restore themselves need a CRaC JVM, which
 * this machine lacks (SnapStartPriming says why that is acceptable for Lambda).
 */
class SnapStartPrimingTest {
    /** The priming film's femoral head centres, written with it by {@link PrimingFilmMaker}. */
    static final String TRUTH = "priming-film-truth.json";
    static final List<String> calls = new CopyOnWriteArrayList<>();
    static S3Client s3;
    static SqsClient sqs;
    static DynamoDbClient dynamo;
    static PreprocessHandler handler;

    /** Records every request a client starts, before it is sent anywhere. */
    static final ExecutionInterceptor RECORD = new ExecutionInterceptor() {
        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            calls.add(context.request().getClass().getSimpleName());
        }
    };

    @BeforeAll
    static void setUp() {
        URI nowhere = URI.create("http://127.0.0.1:9"); // discard port: a call that got through would still fail
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        s3 = S3Client.builder().httpClientBuilder(AwsCrtHttpClient.builder()).endpointOverride(nowhere)
                .forcePathStyle(true).region(Region.EU_CENTRAL_1).credentialsProvider(creds)
                .overrideConfiguration(c -> c.addExecutionInterceptor(RECORD)).build();
        sqs = SqsClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).endpointOverride(nowhere)
                .region(Region.EU_CENTRAL_1).credentialsProvider(creds)
                .overrideConfiguration(c -> c.addExecutionInterceptor(RECORD)).build();
        dynamo = DynamoDbClient.builder().httpClientBuilder(AwsCrtHttpClient.builder()).endpointOverride(nowhere)
                .region(Region.EU_CENTRAL_1).credentialsProvider(creds)
                .overrideConfiguration(c -> c.addExecutionInterceptor(RECORD)).build();
        handler = new PreprocessHandler(PipelineConfig.from(Map.of("TABLE_NAME", "results", "WORK_BUCKET", "work",
                "QUEUE_URL", nowhere + "/000000000000/claims", "MODEL_DIR", ShippedModel.DIR.toString(),
                "STUDY_KEY_SECRET", "0123456789abcdef-secret", "INGEST_BUCKET", "ingest")::get), s3, sqs, dynamo);
    }

    @AfterAll
    static void tearDown() {
        handler.preparer().close();
        s3.close();
        sqs.close();
        dynamo.close();
    }

    @Test
    void beforeCheckpoint_preparesThePhantomFilm_andCallsNoAwsClient() throws Exception {
        handler.priming().beforeCheckpoint(null); // the hook as the CRaC runtime calls it; throws if not prepared
        var p = handler.priming().prime();
        int px = CropContract.forModelDir(ShippedModel.DIR).graderOutputPx();
        assertEquals(px, p.right().size());
        assertEquals(px, p.left().size());
        // The localiser really ran on the film: the crops sit on the phantom's true femoral heads.
        JsonNode truth;
        try (var in = SnapStartPrimingTest.class.getResourceAsStream(TRUTH)) {
            truth = new ObjectMapper().readTree(in);
        }
        for (Side side : Side.values()) {
            JsonNode t = truth.required(side.name().toLowerCase(Locale.ROOT));
            var crop = side == Side.RIGHT ? p.right() : p.left();
            double off = Math.hypot(crop.centerXmm() - t.get(0).asDouble(), crop.centerYmm() - t.get(1).asDouble());
            assertTrue(off < 10, side + " crop centre " + off + " mm from the true head centre");
        }
        for (float v : p.right().pixels()) assertTrue(Float.isFinite(v), "crop pixel not finite");
        assertEquals(List.of(), calls, "priming must not call S3, SQS or DynamoDB");
        handler.priming().afterRestore(null);
        assertEquals(List.of(), calls);
    }
}
