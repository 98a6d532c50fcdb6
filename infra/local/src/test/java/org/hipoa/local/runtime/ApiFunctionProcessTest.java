package org.hipoa.local.runtime;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hipoa.api.ApiHandler;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.local.internal.LocalContext;
import org.hipoa.local.runtime.InvokeResult.Failure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ApiFunction's deployment zip, as template.yaml configures it (handler string, memory, timeout, environment,
 * JAVA_TOOL_OPTIONS), started through the real Lambda Java runtime interface client: it answers the requests that
 * need no table exactly as the handler does in process. Needs the zip: {@code mvn package} (or verify) first.
 */
@Timeout(180)
class ApiFunctionProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("../..");
    private static final String ORIGIN = "https://viewer.example.org";
    /** Nothing listens there: none of these requests may reach the table. */
    private static final String NO_TABLE = "http://127.0.0.1:9";
    @TempDir
    static Path dir;
    private static FunctionDefinition api;
    private static TaskRoot root;
    private static Map<String, String> variables;
    private static LambdaProcess process;
    private static ApiHandler inProcess;

    @BeforeAll
    static void start() throws Exception {
        api = TemplateFunctions.load(REPO.resolve("template.yaml")).function("ApiFunction");
        root = TaskRoot.unzip(api.codeUri(), dir.resolve("tasks"));
        variables = api.environment(Map.of("TABLE_NAME", "hipoa-results",
                "STUDY_KEY_SECRET", "api-process-test-secret-0123456789", "VIEWER_ORIGIN", ORIGIN,
                "AWS_ENDPOINT_URL_DYNAMODB", NO_TABLE, "AWS_ENDPOINT_URL_S3", NO_TABLE));
        process = LambdaProcess.start(api, root, variables, FixturePackage.IDENTITY, dir.resolve("logs"));

        System.setProperty(ApiHandler.VIEWER_ORIGIN, ORIGIN); // the in-process handler reads it as the process does
        try {
            inProcess = new ApiHandler(PipelineConfig.from(variables::get), DynamoDbClient.builder()
                    .endpointOverride(URI.create(NO_TABLE)).region(Region.EU_CENTRAL_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y")))
                    .httpClientBuilder(AwsCrtHttpClient.builder()).build());
        } finally {
            System.clearProperty(ApiHandler.VIEWER_ORIGIN);
        }

        // The first event of a fresh environment: the cold start a first partner request waits for.
        JsonNode first = invokeBoth(unknownRoute());
        assertEquals(404, first.get("statusCode").asInt(), process::log);
        System.out.printf("ApiFunction cold start (process start -> first response): %d ms; init (-> first poll): "
                        + "%d ms; max memory used %d MB of %d%n", process.coldStart().orElseThrow().toMillis(),
                process.initDuration().orElseThrow().toMillis(), process.maxMemoryUsedMb(), api.memoryMb());
    }

    @AfterAll
    static void stop() {
        if (process != null) process.close();
    }

    private static ObjectNode event(String file) throws Exception {
        return (ObjectNode) JSON.readTree(Files.readString(REPO.resolve("events").resolve(file)));
    }

    private static String unknownRoute() throws Exception {
        ObjectNode e = event("api-unknown-method.json");
        e.put("httpMethod", "GET").put("path", "/v1/no/such/route");
        return e.toString();
    }

    /** The process's answer, after checking it equals the in-process handler's for the same event. */
    private static JsonNode invokeBoth(String eventJson) throws Exception {
        String payload = process.invoke(eventJson).payloadOrThrow();
        var in = LambdaEventSerializers.serializerFor(APIGatewayProxyRequestEvent.class,
                ApiFunctionProcessTest.class.getClassLoader()).fromJson(eventJson);
        APIGatewayProxyResponseEvent expected = inProcess.handleRequest(in,
                new LocalContext(api.logicalId(), "eu-central-1", api.memoryMb(), api.timeout().toMillis(), "test"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LambdaEventSerializers.serializerFor(APIGatewayProxyResponseEvent.class,
                ApiFunctionProcessTest.class.getClassLoader()).toJson(expected, out);
        JsonNode got = JSON.readTree(payload);
        assertEquals(JSON.readTree(out.toByteArray()), got, "process and in-process answers differ");
        return got;
    }

    @Test
    void unknownRoute_answers404AsInProcess() throws Exception {
        JsonNode r = invokeBoth(unknownRoute());
        assertEquals(404, r.get("statusCode").asInt());
        assertEquals("application/problem+json", r.at("/headers/Content-Type").asText());
        assertEquals(ORIGIN, r.at("/headers/Access-Control-Allow-Origin").asText(), "the template's variable arrived");
    }

    @Test
    void unknownMethod_answers405WithAllowAsInProcess() throws Exception {
        JsonNode r = invokeBoth(event("api-unknown-method.json").toString());
        assertEquals(405, r.get("statusCode").asInt());
        assertEquals("GET", r.at("/headers/Allow").asText());
    }

    @Test
    void missingApiKey_answers403AsInProcess() throws Exception {
        ObjectNode e = event("api-get-upload.json");
        ((ObjectNode) e.at("/requestContext/identity")).putNull("apiKey");
        JsonNode r = invokeBoth(e.toString());
        assertEquals(403, r.get("statusCode").asInt());
    }

    @Test
    void handlerStringNamingNoClass_failsAsLambdaReportsIt() throws Exception {
        FunctionDefinition wrong = new FunctionDefinition(api.logicalId(), api.packageType(),
                "org.hipoa.api.ApiHandlr::handleRequest", api.memoryMb(), api.timeout(), api.environment(),
                api.reservedConcurrency(), api.codeUri(), null);
        try (LambdaProcess p = LambdaProcess.start(wrong, root, variables, FixturePackage.IDENTITY,
                dir.resolve("logs"))) {
            Failure f = assertInstanceOf(Failure.class, p.invoke(unknownRoute()));
            assertEquals("java.lang.ClassNotFoundException", f.errorType());
            assertEquals("Class not found: org.hipoa.api.ApiHandlr", f.errorMessage());
        }
    }

    @Test
    void zip_doesNotBundleTheRuntimeInterfaceClient() throws Exception {
        try (ZipFile zip = new ZipFile(api.codeUri().toFile())) {
            assertFalse(zip.stream().anyMatch(e -> e.getName().contains("runtime-interface-client")),
                    "Lambda's java21 runtime provides the client; a bundled one would be shadowed anyway");
        }
        try (var jars = Files.list(root.dir().resolve("lib"))) {
            assertTrue(jars.anyMatch(j -> j.getFileName().toString().startsWith("hipoa-api-")),
                    "the layout Lambda's class loader reads: the function's own jar among lib/*.jar");
        }
    }
}
