package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.api.ApiHandler;
import org.hipoa.aws.GrantStore;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.domain.upload.UploadRef;
import org.hipoa.local.internal.DynaliteProcess;
import org.hipoa.local.internal.EmbeddedIds;
import org.hipoa.local.internal.FunctionEnvironment;
import org.hipoa.local.internal.FunctionEnvironments;
import org.hipoa.local.internal.IamSpec;
import org.hipoa.local.internal.LocalServers;
import org.hipoa.local.internal.StackIam;
import org.hipoa.local.internal.StackResources;
import org.hipoa.local.runtime.IamAgent;
import org.hipoa.local.runtime.LambdaProcess;
import org.hipoa.local.template.StackTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The HipOA stack on this machine, no Docker: S3Proxy (S3), dynalite (DynamoDB, a Node child process) and ElasticMQ
 * (SQS) on 127.0.0.1 with OS-chosen ports; the buckets, queue + DLQ, and table template.yaml creates; and the three
 * unchanged Lambda handlers behind local stand-ins for their triggers (S3 notification → async invoke, SQS event
 * source mapping, API Gateway REST proxy). Handlers find everything the way they would on AWS or LocalStack: the
 * SDK's {@code aws.endpointUrl*}, {@code aws.region} and credential system properties, plus their own settings
 * (TABLE_NAME, WORK_BUCKET, QUEUE_URL, …) as system properties — so one stack per JVM. With
 * {@link Builder#processes}(true) each execution environment is instead a JVM process of its own, started from the
 * function's built package through the Lambda runtime interface client ({@link ProcessFunction}), its variables,
 * endpoints and role credentials in its environment and template.yaml's IAM enforced inside it.
 *
 * <pre>{@code
 * try (EmbeddedAws aws = EmbeddedAws.builder().start()) {
 *     aws.s3().putObject(b -> b.bucket(aws.names().ingestBucket()).key("incoming/acme/x.dcm"), body);
 *     aws.awaitIdle(Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public final class EmbeddedAws implements AutoCloseable {

    private final Builder settings;
    private final LocalServers servers;
    private final StackResources.Queues queues;
    private final LambdaFunction<S3Event, Void> preprocess;
    private final LambdaFunction<SQSEvent, SQSBatchResponse> inference;
    private final LambdaFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> api;
    private final S3NotificationBridge notifications;
    private final SqsEventSourceMapping eventSource;
    private final LambdaFunction<SQSEvent, SQSBatchResponse> deadLetter;
    private final SqsEventSourceMapping deadLetterSource;
    /** The export step (issue 10), when the builder asked for it; else null. */
    private final StackResources.Queues exportQueues;
    private final LambdaFunction<SQSEvent, SQSBatchResponse> export;
    private final SqsEventSourceMapping exportSource;
    private final LambdaFunction<SQSEvent, SQSBatchResponse> exportDeadLetter;
    private final SqsEventSourceMapping exportDeadLetterSource;
    private final ApiGatewayServer apiGateway;
    private final ViewerServer viewer;
    private final Duration startTime;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<String, S3Client> uploaders = new java.util.concurrent.ConcurrentHashMap<>();
    /** template.yaml's IAM, enforced on every SDK call in this JVM; null when the builder turned it off. */
    private final StackIam stackIam;
    /** What the IAM is built from, handed to function processes; null without IAM. */
    private IamSpec iamSpec;
    /** The packages function processes start from; null when the functions run in this JVM. */
    private final FunctionPackages packages;
    private final List<java.util.function.Consumer<ObjectCreated>> objectListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private EmbeddedAws(Builder b) throws IOException {
        long t0 = System.nanoTime();
        this.settings = b;
        StackTemplate t = b.template;
        StackTemplate.Function infFn = t.function("InferenceFunction"),
                apiFn = t.function("ApiFunction"), dlFn = t.function("DeadLetterFunction"),
                exFn = t.function("ExportFunction");
        // The bridge is built before S3 so the blob store can hand it every created object.
        FaultPlan faults = b.faults;
        this.packages = b.processes ? new FunctionPackages(b.root) : null;
        if (packages != null) closeables.add(packages);
        this.preprocess = function("PreprocessFunction", S3Event.class, Void.class,
                faults != null && b.preprocess == null ? faults.preprocess() : b.preprocessOrDefault(),
                b.preprocessConcurrency, b.preprocessTimeout);
        this.notifications = new S3NotificationBridge(preprocess, b.names.ingestBucket(), UploadRef.INCOMING,
                b.region, faults != null ? faults::deliveries : S3NotificationBridge.everyTime(b.deliveriesPerEvent),
                b.asyncRetryDelays, b.preprocessConcurrency);
        closeables.add(preprocess);
        closeables.add(notifications);
        try {
            this.servers = LocalServers.start(b.region, b.blobStoreDir, b.dynamoDbDir, b.nodeDir, o -> {
                notifications.accept(o);
                for (java.util.function.Consumer<ObjectCreated> l : objectListeners) l.accept(o);
            });
            closeables.add(servers);
            StackResources.buckets(servers.s3(), b.names);
            StackResources.table(servers.dynamoDb(), t, b.names);
            this.queues = StackResources.queues(servers.sqs(), t, "ClaimCheckQueue", b.names.queue(),
                    b.names.deadLetterQueue(), b.visibilityTimeout, b.maxReceiveCount);
            this.exportQueues = b.export ? StackResources.queues(servers.sqs(), t, "ExportQueue",
                    b.names.queue() + "-export", b.names.queue() + "-export-dlq", b.exportVisibilityTimeout,
                    b.maxReceiveCount) : null;
            this.iamSpec = b.iam ? new IamSpec(b.root.resolve("template.yaml"), b.region, b.names, queues,
                    exportQueues, StackResources.hashKeys(t)) : null;
            this.stackIam = iamSpec == null ? null : StackIam.install(iamSpec, servers);
            if (stackIam != null) closeables.add(stackIam);
            if (b.setSystemProperties) exportSettings();
            this.inference = function("InferenceFunction", SQSEvent.class, SQSBatchResponse.class,
                    faults != null && b.inference == null ? faults.inference() : b.inferenceOrDefault(),
                    b.inferenceConcurrency, b.inferenceTimeout);
            closeables.add(inference);
            this.eventSource = new SqsEventSourceMapping(sqsAs(infFn), queues.queueUrl(), queues.queueArn(), b.region,
                    inference, b.batchSize, b.batchWindow, b.inferenceConcurrency).start();
            closeables.add(eventSource);
            // template.yaml's DeadLetterFunction: grades a parked claim check alone once, else ends its upload.
            if (b.deadLetter != null) {
                // Its mapping as the template's (batch size 1, so a solo grade that crashes or hangs takes no other
                // message with it); its timeout the stack's inference timeout, as the template sets both alike and
                // the DLQ's visibility must cover it. Under a fault plan it gets the plan's faults too, as a crash in
                // production would hit it as well.
                boolean templates = b.deadLetter == Builder.DEFAULT_DEAD_LETTER;
                Supplier<? extends RequestHandler<SQSEvent, SQSBatchResponse>> handler =
                        templates && faults != null ? faults.deadLetter()
                        : templates ? LocalFunction.byClassName(dlFn.handlerClass()) : b.deadLetter;
                StackTemplate.SqsEvent dlEvent = dlFn.sqsEvent().orElseThrow();
                this.deadLetter = function("DeadLetterFunction", SQSEvent.class, SQSBatchResponse.class, handler,
                        dlEvent.maximumConcurrency(), b.inferenceTimeout);
                closeables.add(deadLetter);
                this.deadLetterSource = new SqsEventSourceMapping(sqsAs(dlFn), queues.deadLetterQueueUrl(),
                        queues.deadLetterQueueArn(), b.region, deadLetter, dlEvent.batchSize(), dlEvent.batchWindow(),
                        dlEvent.maximumConcurrency()).start();
                closeables.add(deadLetterSource);
            } else {
                this.deadLetter = null;
                this.deadLetterSource = null;
            }
            // template.yaml's ExportFunction on the export queue: SR to results/, STOW-RS to a registered PACS,
            // with its mapping as the template's.
            if (exportQueues != null) {
                StackTemplate.SqsEvent exEvent = exFn.sqsEvent().orElseThrow();
                this.export = function("ExportFunction", SQSEvent.class, SQSBatchResponse.class,
                        LocalFunction.byClassName(exFn.handlerClass()), exEvent.maximumConcurrency(), b.exportTimeout);
                closeables.add(export);
                this.exportSource = new SqsEventSourceMapping(sqsAs(exFn), exportQueues.queueUrl(),
                        exportQueues.queueArn(), b.region, export, exEvent.batchSize(), exEvent.batchWindow(),
                        exEvent.maximumConcurrency()).start();
                closeables.add(exportSource);
                // ExportDLQ's consumer: an export that ran out of receives ends FAILED (DEAD_LETTERED) on the item.
                StackTemplate.Function xdFn = t.function("ExportDeadLetterFunction");
                StackTemplate.SqsEvent xdEvent = xdFn.sqsEvent().orElseThrow();
                this.exportDeadLetter = function("ExportDeadLetterFunction", SQSEvent.class, SQSBatchResponse.class,
                        LocalFunction.byClassName(xdFn.handlerClass()), xdEvent.maximumConcurrency(),
                        min(b.exportTimeout, xdFn.timeout()));
                closeables.add(exportDeadLetter);
                this.exportDeadLetterSource = new SqsEventSourceMapping(sqsAs(xdFn), exportQueues.deadLetterQueueUrl(),
                        exportQueues.deadLetterQueueArn(), b.region, exportDeadLetter, xdEvent.batchSize(),
                        xdEvent.batchWindow(), xdEvent.maximumConcurrency()).start();
                closeables.add(exportDeadLetterSource);
            } else {
                this.export = null;
                this.exportSource = null;
                this.exportDeadLetter = null;
                this.exportDeadLetterSource = null;
            }
            // The viewer's port is bound first: the API function reads its origin (CORS) when it starts.
            this.viewer = b.viewerDir == null ? null : new ViewerServer(b.viewerDir);
            if (viewer != null) closeables.add(viewer);
            if (b.setSystemProperties) {
                if (viewer != null) System.setProperty(ApiHandler.VIEWER_ORIGIN, viewer.origin());
                else System.clearProperty(ApiHandler.VIEWER_ORIGIN); // a previous stack's, in this JVM
            }
            if (faults != null && faults.profile().lostCropsRate() > 0) addObjectListener(lostObjects(faults));
            this.api = function("ApiFunction", APIGatewayProxyRequestEvent.class, APIGatewayProxyResponseEvent.class,
                    b.api != null ? b.api : LocalFunction.byClassName(apiFn.handlerClass()), 1, b.apiTimeout);
            closeables.add(api);
            // The API as template.yaml gives it to API Gateway: the document its HipoaApi includes.
            this.apiGateway = new ApiGatewayServer(ApiGatewayDocument.fromTemplate(
                    b.root.resolve("template.yaml"), "HipoaApi"), api, b.stage, b.apiKey, b.region);
            closeables.add(apiGateway);
            if (viewer != null) {
                apiGateway.allowOrigin(viewer.origin());
                viewer.apiBaseUrl(apiGateway.baseUrl());
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        if (b.setSystemProperties || packages != null) {
            try {
                functionEnvironments();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        this.startTime = Duration.ofNanos(System.nanoTime() - t0);
    }

    /**
     * Gives each function the environment template.yaml gives it (and only that: the harness's own settings are
     * hidden from a function whose template lacks them), resolved to this stack's resources.
     */
    private void functionEnvironments() {
        StackTemplate t = settings.template;
        Map<String, String> refs = new java.util.HashMap<>();
        refs.put("ResultsTable", settings.names.table());
        refs.put("WorkBucket", settings.names.workBucket());
        refs.put("IngestBucket", settings.names.ingestBucket());
        refs.put("ClaimCheckQueue", queues.queueUrl());
        refs.put("ExportQueue", exportQueues == null ? FunctionEnvironment.UNSET : exportQueues.queueUrl());
        refs.put("MaxReceiveCount", Integer.toString(settings.maxReceiveCount));
        refs.put("StuckAfterMinutes", t.parameterDefault("StuckAfterMinutes"));
        Map<String, String> local = new java.util.HashMap<>();
        local.put(PipelineConfig.MODEL_DIR, settings.modelDir.toString()); // /var/task/model in the zip or image
        local.put(PipelineConfig.STUDY_KEY_SECRET, settings.studyKeySecret); // a Secrets Manager dynamic reference
        local.put(PipelineConfig.INGEST_BUCKET, settings.names.ingestBucket()); // a !Sub of the bucket's name
        local.put(ApiHandler.VIEWER_ORIGIN, viewer == null ? FunctionEnvironment.UNSET : viewer.origin());
        local.put(org.hipoa.export.ExportHandler.DICOMWEB_TIMEOUT_MS, Long.toString(settings.dicomWebTimeout.toMillis()));
        java.util.Set<String> harness = java.util.Set.of(PipelineConfig.TABLE_NAME, PipelineConfig.WORK_BUCKET,
                PipelineConfig.QUEUE_URL, PipelineConfig.STUDY_KEY_SECRET, PipelineConfig.MODEL_DIR,
                PipelineConfig.MAX_RECEIVE_COUNT, PipelineConfig.EXPORT_QUEUE_URL, PipelineConfig.STUCK_AFTER_MINUTES,
                PipelineConfig.INGEST_BUCKET,
                ApiHandler.VIEWER_ORIGIN, org.hipoa.export.ExportHandler.DICOMWEB_TIMEOUT_MS);
        LambdaProcess.Agent agent = packages == null || iamSpec == null ? LambdaProcess.Agent.NONE
                : IamAgent.of(iamSpec, packages.logDir().resolveSibling("iam"));
        for (LambdaFunction<?, ?> f : java.util.Arrays.asList(preprocess, inference, api, deadLetter, export,
                exportDeadLetter)) {
            switch (f) {
                case null -> { }
                case LocalFunction<?, ?> l -> {
                    Map<String, String> env = new java.util.HashMap<>(FunctionEnvironments.resolve(t, f.name(), refs,
                            local, harness));
                    if (stackIam != null) env.putAll(stackIam.credentials(t.function(f.name()).role()));
                    l.environment(env);
                }
                case ProcessFunction<?, ?> p -> p.configure(processVariables(f.name(), refs, local), identity(f.name()),
                        agent);
                default -> throw new IllegalStateException("unknown function kind " + f.getClass());
            }
        }
    }

    /**
     * A function process's variables: the template's, resolved as for an in-JVM function, except MODEL_DIR, which
     * keeps the template's /var/task path (the process runs in its package's task root), and with the SDK's endpoint
     * variables pointing at this stack (AWS_ENDPOINT_URL_S3, …), as a deployment's would point at AWS.
     */
    private Map<String, String> processVariables(String function, Map<String, String> refs, Map<String, String> local) {
        Map<String, String> processLocal = new java.util.HashMap<>(local);
        processLocal.remove(PipelineConfig.MODEL_DIR);
        Map<String, String> env = new java.util.LinkedHashMap<>();
        FunctionEnvironments.resolve(settings.template, function, refs, processLocal, Set.of()).forEach((k, v) -> {
            if (!FunctionEnvironment.UNSET.equals(v)) env.put(k, v);
        });
        env.put("AWS_ENDPOINT_URL_S3", servers.s3Endpoint().toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", servers.dynamoDbEndpoint().toString());
        env.put("AWS_ENDPOINT_URL_SQS", servers.sqsEndpoint().toString());
        return env;
    }

    /** The role's credentials, as Lambda hands them to the runtime (the operator's without IAM). */
    private LambdaProcess.Identity identity(String function) {
        if (stackIam == null) {
            return new LambdaProcess.Identity(settings.region, EmbeddedIds.ACCOUNT, EmbeddedIds.ACCESS_KEY_ID,
                    EmbeddedIds.SECRET_ACCESS_KEY, null);
        }
        var role = stackIam.role(settings.template.function(function).role());
        return new LambdaProcess.Identity(settings.region, EmbeddedIds.ACCOUNT, role.accessKeyId(),
                role.secretAccessKey(), null);
    }

    /**
     * The function as this stack runs it: in this JVM with {@code handler}, or, with {@link Builder#processes}, as
     * processes started from its package (the template's handler string; {@code handler} is then the template's).
     */
    private <I, O> LambdaFunction<I, O> function(String name, Class<I> in, Class<O> out,
                                                 Supplier<? extends RequestHandler<I, O>> handler, int concurrency,
                                                 Duration timeout) {
        if (packages != null) {
            var definition = packages.function(name, timeout);
            ProcessFunction<I, O> f = new ProcessFunction<>(definition, packages.taskRoot(definition), concurrency,
                    packages.logDir(), ProcessFunction.decoder(out));
            closeables.add(f);
            return f;
        }
        return new LocalFunction<>(name, settings.region, in, handler, concurrency, timeout,
                settings.template.function(name).memoryMb(), settings.handlerStackBytes);
    }

    /**
     * The work bucket losing objects: each crops object the plan names is deleted shortly after it was written
     * (off the PUT's thread, as an expiry or an operator would), before or while inference reads it.
     */
    private java.util.function.Consumer<ObjectCreated> lostObjects(FaultPlan faults) {
        var deleter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("work-bucket-loss").unstarted(r));
        closeables.add(deleter::shutdownNow);
        return o -> {
            if (!o.bucket().equals(settings.names.workBucket()) || !faults.loses(o.key())) return;
            deleter.schedule(() -> {
                try {
                    servers.s3().deleteObject(d -> d.bucket(o.bucket()).key(o.key()));
                } catch (RuntimeException e) {
                    System.err.println("local stack: losing " + o.key() + ": " + e.getMessage());
                }
            }, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
        };
    }

    /** Tells {@code listener} about every object any bucket of this stack stores (after the S3 bridge). */
    public void addObjectListener(java.util.function.Consumer<ObjectCreated> listener) {
        objectListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The fault plan this stack runs with, if any. */
    public java.util.Optional<FaultPlan> faults() {
        return java.util.Optional.ofNullable(settings.faults);
    }

    /** Points the SDK and the handlers at this stack, exactly as a deployment's environment would. */
    private void exportSettings() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("aws.endpointUrlS3", servers.s3Endpoint().toString());
        p.put("aws.endpointUrlDynamoDb", servers.dynamoDbEndpoint().toString());
        p.put("aws.endpointUrlSqs", servers.sqsEndpoint().toString());
        p.put("aws.region", settings.region);
        p.put("aws.accessKeyId", EmbeddedIds.ACCESS_KEY_ID);
        p.put("aws.secretAccessKey", EmbeddedIds.SECRET_ACCESS_KEY);
        p.put(PipelineConfig.TABLE_NAME, settings.names.table());
        p.put(PipelineConfig.WORK_BUCKET, settings.names.workBucket());
        p.put(PipelineConfig.INGEST_BUCKET, settings.names.ingestBucket());
        p.put(PipelineConfig.QUEUE_URL, queues.queueUrl());
        p.put(PipelineConfig.STUDY_KEY_SECRET, settings.studyKeySecret);
        p.put(PipelineConfig.MODEL_DIR, settings.modelDir.toString());
        p.put(PipelineConfig.MAX_RECEIVE_COUNT, Integer.toString(settings.maxReceiveCount));
        if (exportQueues != null) {
            p.put(PipelineConfig.EXPORT_QUEUE_URL, exportQueues.queueUrl());
            p.put(org.hipoa.export.ExportHandler.DICOMWEB_TIMEOUT_MS,
                    Long.toString(settings.dicomWebTimeout.toMillis()));
        } else {
            System.clearProperty(PipelineConfig.EXPORT_QUEUE_URL); // a previous stack's, in this JVM
        }
        p.put("POWERTOOLS_SERVICE_NAME", "hipoa");
        p.put("POWERTOOLS_METRICS_NAMESPACE", "HipOA");
        p.forEach(System::setProperty);
        // A Lambda zip carries one HTTP client (CRT); this classpath has more (S3Proxy brings apache5): pick CRT.
        System.setProperty("software.amazon.awssdk.http.service.impl",
                System.getProperty("software.amazon.awssdk.http.service.impl",
                        "software.amazon.awssdk.http.crt.AwsCrtSdkHttpService"));
    }

    public static Builder builder() {
        return new Builder();
    }

    public StackNames names() { return settings.names; }
    public String region() { return settings.region; }
    /** The account operator's S3 client (the harness's own; bucket policies' denies still apply to it). */
    public S3Client s3() { return servers.s3(); }

    /**
     * S3 as a provider's upload role sees it: what a provider's PACS or script uses to PUT under
     * {@code incoming/{provider}/} (its grants are template.yaml's ProviderUploadPolicy and the bucket policy).
     */
    public S3Client uploader(String provider) {
        return uploaders.computeIfAbsent(provider, p -> {
            String[] keys = uploaderCredentials(p);
            servers.registerCredentials(keys[0], keys[1]);
            return S3Client.builder().endpointOverride(servers.s3Endpoint()).forcePathStyle(true)
                    .region(software.amazon.awssdk.regions.Region.of(settings.region))
                    .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                            software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(keys[0], keys[1])))
                    .httpClientBuilder(software.amazon.awssdk.http.crt.AwsCrtHttpClient.builder()).build();
        });
    }

    /** PUTs {@code key} of the ingest bucket as the provider the key names ({@code incoming/{provider}/…}). */
    public software.amazon.awssdk.services.s3.model.PutObjectResponse upload(String key,
            software.amazon.awssdk.core.sync.RequestBody body) {
        String[] parts = key.split("/", 3);
        if (parts.length < 3) throw new IllegalArgumentException("not a provider's key: " + key);
        return uploader(parts[1]).putObject(b -> b.bucket(settings.names.ingestBucket()).key(key), body);
    }
    public SqsClient sqs() { return servers.sqs(); }
    public DynamoDbClient dynamoDb() { return servers.dynamoDb(); }
    public URI s3Endpoint() { return servers.s3Endpoint(); }
    public URI dynamoDbEndpoint() { return servers.dynamoDbEndpoint(); }
    public URI sqsEndpoint() { return servers.sqsEndpoint(); }
    public String queueUrl() { return queues.queueUrl(); }
    public String deadLetterQueueUrl() { return queues.deadLetterQueueUrl(); }
    /** The export queue's URL, when the stack exports ({@link Builder#export}). */
    public java.util.Optional<String> exportQueueUrl() {
        return java.util.Optional.ofNullable(exportQueues).map(StackResources.Queues::queueUrl);
    }
    /** The export DLQ's URL, when the stack exports. */
    public java.util.Optional<String> exportDeadLetterQueueUrl() {
        return java.util.Optional.ofNullable(exportQueues).map(StackResources.Queues::deadLetterQueueUrl);
    }

    /**
     * Registers a provider's DICOMweb endpoint (what an operator does on AWS with one PutItem: pk
     * {@code PROVIDER#{provider}}, sk {@code DICOMWEB}, {@code url}, optionally {@code secretName}).
     */
    public void registerDicomWeb(String provider, URI root) {
        dynamoDb().putItem(b -> b.tableName(settings.names.table()).item(Map.of(
                org.hipoa.aws.ResultItems.PK, software.amazon.awssdk.services.dynamodb.model.AttributeValue
                        .fromS("PROVIDER#" + provider),
                org.hipoa.aws.ResultItems.SK, software.amazon.awssdk.services.dynamodb.model.AttributeValue
                        .fromS(org.hipoa.export.ExportStore.DICOMWEB_SK),
                "url", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(root.toString()))));
    }
    /** {@code http://127.0.0.1:port/{stage}}; resources such as {@code /v1/uploads/{id}} go after it. */
    public URI apiBaseUrl() { return apiGateway.baseUrl(); }
    /** The API key the local API Gateway wants in {@code x-api-key}. */
    public String apiKey() { return settings.apiKey; }
    /** The results viewer's page ({@link Builder#viewer}), or empty when the stack serves none. */
    public java.util.Optional<URI> viewerUrl() {
        return java.util.Optional.ofNullable(viewer).map(ViewerServer::url);
    }

    /**
     * One more partner: the local API Gateway accepts {@code key} too, and it reads these providers' results only
     * (the grant item an operator writes on AWS).
     */
    public void addApiKey(String key, Set<String> providers) {
        apiGateway.addApiKey(key);
        new GrantStore(dynamoDb(), settings.names.table()).grant(key, providers);
    }

    /**
     * Let the local API key read these providers' results — what an operator does on AWS with one PutItem
     * (README: "Partner access"). Without a grant the API answers 403/404, as it would there.
     */
    public void grantApiKey(Set<String> providers) {
        new GrantStore(dynamoDb(), settings.names.table()).grant(settings.apiKey, providers);
    }
    public String studyKeySecret() { return settings.studyKeySecret; }
    public LambdaFunction<S3Event, Void> preprocessFunction() { return preprocess; }
    public LambdaFunction<SQSEvent, SQSBatchResponse> inferenceFunction() { return inference; }
    public LambdaFunction<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> apiFunction() { return api; }
    public S3NotificationBridge notifications() { return notifications; }
    public SqsEventSourceMapping eventSource() { return eventSource; }
    /** Null when the builder was given no DLQ consumer. */
    public LambdaFunction<SQSEvent, SQSBatchResponse> deadLetterFunction() { return deadLetter; }
    /** Null when the builder was given no DLQ consumer. */
    public SqsEventSourceMapping deadLetterEventSource() { return deadLetterSource; }
    /** The export queue's mapping; empty unless the stack was built with {@code export(true)}. */
    public java.util.Optional<SqsEventSourceMapping> exportEventSource() {
        return java.util.Optional.ofNullable(exportSource);
    }
    /** The dynalite child process (tests check it is gone after close). */
    public DynaliteProcess dynalite() { return servers.dynalite(); }
    /** Wall time of {@link Builder#start()}: servers, resources, bridges. */
    public Duration startTime() { return startTime; }

    /**
     * Waits until no S3 event is pending, no batch is in the inference function and the claim-check queue is empty
     * (visible and in flight), twice in a row.
     *
     * @throws IllegalStateException on timeout, with what was still pending
     */
    public void awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quiet = 0;
        String state = "";
        while (System.nanoTime() < deadline) {
            Map<QueueAttributeName, String> a = sqs().getQueueAttributes(b -> b.queueUrl(queues.queueUrl())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            int visible = Integer.parseInt(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"));
            int inFlight = Integer.parseInt(
                    a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
            state = "s3 events pending " + notifications.pending() + ", queue visible " + visible + ", in flight "
                    + inFlight + ", inference busy " + eventSource.busy();
            int exportPending = exportQueues == null ? 0 : pending(exportQueues.queueUrl());
            state += ", export queue " + exportPending;
            boolean idle = notifications.pending() == 0 && visible == 0 && inFlight == 0 && !eventSource.busy()
                    && (deadLetterSource == null || !deadLetterSource.busy())
                    && exportPending == 0 && (exportSource == null || !exportSource.busy());
            quiet = idle ? quiet + 1 : 0;
            if (quiet >= 2) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("local stack not idle after " + timeout + ": " + state);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Messages visible or in flight on a queue. */
    private int pending(String queueUrl) {
        Map<QueueAttributeName, String> a = sqs().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
                + Integer.parseInt(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
    }

    /** Access key and secret of a provider's upload role. */
    private String[] uploaderCredentials(String provider) {
        if (stackIam == null) return new String[]{EmbeddedIds.ACCESS_KEY_ID, EmbeddedIds.SECRET_ACCESS_KEY};
        var p = stackIam.provider(provider);
        return new String[]{p.accessKeyId(), p.secretAccessKey()};
    }

    /** The SQS client Lambda's event source mapping polls with: signed as the function's role. */
    private SqsClient sqsAs(StackTemplate.Function f) {
        if (stackIam == null) return servers.sqs();
        String queue = f.sqsEvent().orElseThrow().queue();
        String arn = switch (queue) {
            case "ClaimCheckQueue" -> queues.queueArn();
            case "ClaimCheckDLQ" -> queues.deadLetterQueueArn();
            case "ExportQueue" -> exportQueues.queueArn();
            case "ExportDLQ" -> exportQueues.deadLetterQueueArn();
            default -> throw new IllegalStateException(f.logicalId() + " polls " + queue + ", which the local stack "
                    + "does not create");
        };
        stackIam.checkEventSourceMapping(f.logicalId(), f.role(), arn);
        return stackIam.sqsAs(f.role());
    }

    /**
     * SDK clients signed as a template function's role, for a test that builds that function's handler itself (the
     * operator's clients otherwise: IAM off).
     */
    public S3Client s3As(String function) {
        return stackIam == null ? s3() : closing(stackIam.s3As(settings.template.function(function).role()));
    }

    /** An S3 client signed as a template role that runs no function here (the backfill state machine's). */
    public S3Client s3AsRole(String roleLogicalId) {
        return stackIam == null ? s3() : closing(stackIam.s3As(roleLogicalId));
    }

    public SqsClient sqsAs(String function) {
        return stackIam == null ? sqs() : stackIam.sqsAs(settings.template.function(function).role());
    }

    public DynamoDbClient dynamoDbAs(String function) {
        return stackIam == null ? dynamoDb() : closing(stackIam.dynamoDbAs(settings.template.function(function).role()));
    }

    private <C extends AutoCloseable> C closing(C client) {
        closeables.add(client);
        return client;
    }

    /** What the local IAM is built from (empty without IAM): for tests that start a function process themselves. */
    java.util.Optional<IamSpec> iamSpec() {
        return java.util.Optional.ofNullable(iamSpec);
    }

    /** The local IAM (empty when the builder turned it off). */
    public java.util.Optional<StackIam> iam() {
        return java.util.Optional.ofNullable(stackIam);
    }

    @Override
    public void close() {
        uploaders.values().forEach(S3Client::close);
        uploaders.clear();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                long t = System.nanoTime();
                closeables.get(i).close();
                if (Boolean.getBoolean("hipoa.local.debugClose")) {
                    System.err.printf("close %s %d ms%n", closeables.get(i).getClass().getSimpleName(),
                            (System.nanoTime() - t) / 1_000_000);
                }
            } catch (Exception e) {
                System.err.println("local stack: closing " + closeables.get(i).getClass().getSimpleName()
                        + ": " + e);
            }
        }
        closeables.clear();
    }

    /**
     * Settings of a local stack. Everything AWS would take from template.yaml comes from it (handlers, memory, the
     * SQS mappings, queues, the table); what a developer would wait for (timeouts, visibility, batching window, the
     * redrive count) may be set shorter here, never longer than the template's: a local stand-in may be harsher than
     * AWS, never kinder.
     */
    public static final class Builder {
        private StackTemplate template;
        private Path root;
        private boolean iam = true;
        private boolean processes;
        private StackNames names = StackNames.defaults();
        private String region = "us-east-1";
        private Path blobStoreDir;
        private Path nodeDir;
        private Path modelDir;
        private Path viewerDir;
        private boolean viewerOn;
        private int deliveriesPerEvent = 1;
        private List<Duration> asyncRetryDelays = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2));
        // As template.yaml (maxReceiveCount 5, BatchSize 10) except where a developer would wait: the template's 720 s
        // visibility timeout and 5 s batching window become 30 s and 0.5 s here.
        private Duration visibilityTimeout = Duration.ofSeconds(30);
        private int maxReceiveCount = 5;
        private int batchSize = 10;
        private Duration batchWindow = Duration.ofMillis(500);
        private int preprocessConcurrency = 1;
        // template.yaml: ScalingConfig.MaximumConcurrency 5; two here (2 cores), still enough for two batches to race.
        private int inferenceConcurrency = 2;
        // template.yaml: 120 s, 120 s, 15 s. Inference gets 30 s here so the local 30 s visibility timeout still
        // covers it, as Lambda requires of an event source mapping.
        private Duration preprocessTimeout = Duration.ofMinutes(1);
        private Duration inferenceTimeout = Duration.ofSeconds(30);
        private Duration apiTimeout = Duration.ofSeconds(15);
        private long handlerStackBytes = 0;
        private Path dynamoDbDir;
        private FaultPlan faults;
        private boolean export;
        // template.yaml: ExportFunction 60 s, export queue visibility 120 s; short here so a retry comes in seconds.
        private Duration exportTimeout = Duration.ofSeconds(10);
        private Duration exportVisibilityTimeout = Duration.ofSeconds(10);
        private Duration dicomWebTimeout = Duration.ofSeconds(5);
        private String studyKeySecret = randomHex(32);
        private String apiKey = "local-" + randomHex(16);
        private String stage = "local";
        private boolean setSystemProperties = true;
        private Supplier<? extends RequestHandler<S3Event, Void>> preprocess;
        private Supplier<? extends RequestHandler<SQSEvent, SQSBatchResponse>> inference;
        private Supplier<? extends RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>> api;
        /** The template's DeadLetterFunction handler; this marker lets a fault plan know it may wrap it. */
        static final Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> DEFAULT_DEAD_LETTER = () -> {
            throw new IllegalStateException("marker: the stack builds the template's DeadLetterFunction handler");
        };
        private Supplier<? extends RequestHandler<SQSEvent, SQSBatchResponse>> deadLetter = DEFAULT_DEAD_LETTER;

        private Builder() {}

        public Builder names(StackNames v) { names = Objects.requireNonNull(v); return this; }
        /**
         * Enforce template.yaml's IAM on every SDK call (default true). Off only for tests of the harness itself: a
         * pipeline run without it forgives what AWS refuses.
         */
        public Builder iam(boolean v) { iam = v; return this; }
        /**
         * Run every function as Lambda does: each execution environment its own JVM process, started from the
         * function's built package (zip or image folder) through the Lambda runtime interface client, with the
         * template's handler string, memory and JAVA_TOOL_OPTIONS, and template.yaml's IAM enforced inside it
         * (default false: the functions run in this JVM). Needs the packages: {@code mvn package}. Takes no fault
         * plan and no handler of the caller's: a process runs what the package holds.
         */
        public Builder processes(boolean v) { processes = v; return this; }
        public Builder region(String v) { region = Objects.requireNonNull(v); return this; }
        /** Keep objects in files under this folder (S3Proxy "filesystem"); default: in memory ("transient"). */
        public Builder blobStoreDir(Path v) { blobStoreDir = v; return this; }
        /** The folder with dynalite-server.js; default: infra/local/node of the repository. */
        public Builder nodeDir(Path v) { nodeDir = v; return this; }
        /** MODEL_DIR for the handlers; default: the repository's model/. */
        public Builder modelDir(Path v) { modelDir = v; return this; }
        /** Serve the results viewer (viewer/ of the checkout) on its own port, with the API's CORS set to it. */
        public Builder viewer(boolean v) { viewerOn = v; return this; }
        /** The viewer's folder; default viewer/ of the checkout (implies {@link #viewer}(true)). */
        public Builder viewerDir(Path v) { viewerDir = v; viewerOn = v != null; return this; }
        /** Deliver each S3 event this many times (S3 is at-least-once); default 1. */
        public Builder deliveriesPerEvent(int v) { deliveriesPerEvent = v; return this; }
        /** Delays before each async-invoke retry; default 1 s, 2 s (Lambda: two retries, about 1 and 2 minutes). */
        public Builder asyncRetryDelays(List<Duration> v) { asyncRetryDelays = List.copyOf(v); return this; }
        public Builder visibilityTimeout(Duration v) { visibilityTimeout = Objects.requireNonNull(v); return this; }
        public Builder maxReceiveCount(int v) { maxReceiveCount = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder batchWindow(Duration v) { batchWindow = Objects.requireNonNull(v); return this; }
        /** Execution environments of the preprocess function; default 1. */
        public Builder preprocessConcurrency(int v) { preprocessConcurrency = v; return this; }
        /** Every function's timeout at once. */
        public Builder functionTimeout(Duration v) {
            preprocessTimeout = inferenceTimeout = apiTimeout = Objects.requireNonNull(v);
            return this;
        }
        public Builder preprocessTimeout(Duration v) { preprocessTimeout = Objects.requireNonNull(v); return this; }
        /** Must not exceed the visibility timeout (Lambda refuses such an event source mapping). */
        public Builder inferenceTimeout(Duration v) { inferenceTimeout = Objects.requireNonNull(v); return this; }
        public Builder apiTimeout(Duration v) { apiTimeout = Objects.requireNonNull(v); return this; }
        /** Batches in the inference function at once (ScalingConfig.MaximumConcurrency); default 2. */
        public Builder inferenceConcurrency(int v) { inferenceConcurrency = v; return this; }
        /**
         * The handler threads' stack; default 0 = this JVM's {@code -Xss}, which is what Lambda's Java runtime gives
         * (it calls the handler on the JVM's main thread).
         */
        public Builder handlerStackBytes(long v) { handlerStackBytes = v; return this; }
        /** Keep DynamoDB's data in this folder (LevelDB), so {@code dynalite().kill()} + {@code restart()} keep it. */
        public Builder dynamoDbDir(Path v) { dynamoDbDir = v; return this; }
        /**
         * Inject this seeded fault plan: S3 deliveries as it plans them, and — unless a handler is set explicitly —
         * the real handlers with fault-injecting clients; the work bucket loses what it names.
         */
        public Builder faults(FaultPlan v) { faults = v; return this; }
        /** Run the export step (EXPORT_QUEUE_URL, export queue + DLQ, ExportFunction); default off. */
        public Builder export(boolean v) { export = v; return this; }
        /** The export queue's visibility timeout = the delay before a failed export is retried; default 10 s. */
        public Builder exportVisibilityTimeout(Duration v) { exportVisibilityTimeout = Objects.requireNonNull(v); return this; }
        /** The export function's timeout (at most the export queue's visibility timeout); default 10 s. */
        public Builder exportTimeout(Duration v) { exportTimeout = Objects.requireNonNull(v); return this; }
        /** STOW-RS timeout of the export function; default 5 s. */
        public Builder dicomWebTimeout(Duration v) { dicomWebTimeout = Objects.requireNonNull(v); return this; }

        Supplier<? extends RequestHandler<S3Event, Void>> preprocessOrDefault() {
            return preprocess != null ? preprocess
                    : LocalFunction.byClassName(template.function("PreprocessFunction").handlerClass());
        }

        Supplier<? extends RequestHandler<SQSEvent, SQSBatchResponse>> inferenceOrDefault() {
            return inference != null ? inference
                    : LocalFunction.byClassName(template.function("InferenceFunction").handlerClass());
        }
        public Builder studyKeySecret(String v) { studyKeySecret = Objects.requireNonNull(v); return this; }
        public Builder apiKey(String v) { apiKey = Objects.requireNonNull(v); return this; }
        public Builder stage(String v) { stage = Objects.requireNonNull(v); return this; }
        /** Set aws.* and the handler settings as JVM system properties (default true). */
        public Builder setSystemProperties(boolean v) { setSystemProperties = v; return this; }
        public Builder preprocess(Supplier<? extends RequestHandler<S3Event, Void>> v) { preprocess = v; return this; }
        public Builder inference(Supplier<? extends RequestHandler<SQSEvent, SQSBatchResponse>> v) {
            inference = v;
            return this;
        }
        /**
         * The DLQ's consumer (default: the real DeadLetterHandler, with the fault plan's clients if there is one);
         * null: none, messages stay in the DLQ.
         */
        public Builder deadLetter(Supplier<? extends RequestHandler<SQSEvent, SQSBatchResponse>> v) {
            deadLetter = v;
            return this;
        }
        public Builder api(
                Supplier<? extends RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent>> v) {
            api = v;
            return this;
        }

        /** Starts servers, creates the resources, wires the handlers; close the result to stop everything. */
        public EmbeddedAws start() {
            if (maxReceiveCount < 1) throw new IllegalArgumentException("maxReceiveCount must be >= 1");
            if (preprocessConcurrency < 1) throw new IllegalArgumentException("preprocessConcurrency must be >= 1");
            if (inferenceConcurrency < 1) throw new IllegalArgumentException("inferenceConcurrency must be >= 1");
            if (visibilityTimeout.compareTo(inferenceTimeout) < 0) {
                // CreateEventSourceMapping: "Queue visibility timeout ... is less than Function timeout".
                throw new IllegalArgumentException("the queue's visibility timeout (" + visibilityTimeout.toSeconds()
                        + " s) must be at least the inference function's timeout (" + inferenceTimeout.toSeconds()
                        + " s), as Lambda requires");
            }
            if (processes && (faults != null || preprocess != null || inference != null || api != null
                    || (deadLetter != null && deadLetter != DEFAULT_DEAD_LETTER))) {
                throw new IllegalArgumentException("processes(true) runs the handlers the packages hold; a fault plan "
                        + "or a handler of the caller's needs the functions in this JVM (processes(false))");
            }
            root = repositoryRoot();
            template = StackTemplate.read(root);
            notKinderThanTheTemplate();
            if (nodeDir == null) nodeDir = root.resolve("infra/local/node");
            if (modelDir == null) modelDir = root.resolve("model");
            if (viewerOn && viewerDir == null) viewerDir = root.resolve("viewer");
            if (!viewerOn) viewerDir = null;
            try {
                return new EmbeddedAws(this);
            } catch (IOException e) {
                throw new UncheckedIOException("local stack did not start: " + e.getMessage(), e);
            }
        }

        /** Refuses settings under which the local stack would forgive what AWS, as template.yaml sets it up, would not. */
        private void notKinderThanTheTemplate() {
            StackTemplate.Function pre = template.function("PreprocessFunction"),
                    inf = template.function("InferenceFunction"), api = template.function("ApiFunction"),
                    ex = template.function("ExportFunction");
            StackTemplate.Queue claim = template.queue("ClaimCheckQueue"), exq = template.queue("ExportQueue");
            StackTemplate.SqsEvent infEvent = inf.sqsEvent().orElseThrow();
            atMost("PreprocessFunction Timeout", preprocessTimeout, pre.timeout());
            atMost("InferenceFunction Timeout", inferenceTimeout, inf.timeout());
            atMost("ApiFunction Timeout", apiTimeout, api.timeout());
            atMost("ExportFunction Timeout", exportTimeout, ex.timeout());
            atMost("ClaimCheckQueue VisibilityTimeout", visibilityTimeout, claim.visibilityTimeout());
            atMost("ExportQueue VisibilityTimeout", exportVisibilityTimeout, exq.visibilityTimeout());
            atMost("InferenceFunction MaximumBatchingWindowInSeconds", batchWindow, infEvent.batchWindow());
            if (batchSize > infEvent.batchSize()) {
                throw new IllegalArgumentException("batchSize " + batchSize + " is above template.yaml's BatchSize "
                        + infEvent.batchSize());
            }
            if (inferenceConcurrency > infEvent.maximumConcurrency()) {
                throw new IllegalArgumentException("inferenceConcurrency " + inferenceConcurrency
                        + " is above template.yaml's MaximumConcurrency " + infEvent.maximumConcurrency());
            }
            if (maxReceiveCount > claim.maxReceiveCount()) {
                throw new IllegalArgumentException("maxReceiveCount " + maxReceiveCount + " is above template.yaml's "
                        + claim.maxReceiveCount());
            }
            if (exportVisibilityTimeout.compareTo(exportTimeout) < 0) {
                throw new IllegalArgumentException("the export queue's visibility timeout must be at least the export "
                        + "function's timeout, as Lambda requires");
            }
        }

        private static void atMost(String what, Duration local, Duration template) {
            if (local.compareTo(template) > 0) {
                throw new IllegalArgumentException(what + ": " + local.toMillis() / 1000.0 + " s is longer than "
                        + "template.yaml's " + template.toSeconds() + " s; the local stack may only be stricter");
            }
        }
    }

    /** The HipOA checkout this runs from: the first folder up from the working directory with infra/local/node. */
    static Path repositoryRoot() {
        String override = System.getProperty("hipoa.root", System.getenv("HIPOA_ROOT"));
        if (override != null && !override.isBlank()) return Path.of(override).toAbsolutePath();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("infra/local/node/dynalite-server.js"))) return p;
        }
        throw new IllegalStateException("cannot find the HipOA checkout (infra/local/node) above "
                + Path.of("").toAbsolutePath() + "; set -Dhipoa.root or HIPOA_ROOT");
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
