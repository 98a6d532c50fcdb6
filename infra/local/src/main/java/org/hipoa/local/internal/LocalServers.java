package org.hipoa.local.internal;

import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.hipoa.local.ObjectCreated;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/** The three servers, started side by side, and an SDK client for each (path-style S3, fixed local credentials). */
public final class LocalServers implements AutoCloseable {
    private final S3Proxy s3Proxy;
    private final SQSRestServer elasticMq;
    private final DynaliteProcess dynalite;
    private final URI s3Endpoint;
    private final URI sqsEndpoint;
    private final S3Client s3;
    private final SqsClient sqs;
    private final DynamoDbClient dynamoDb;

    /**
     * Access key → secret of every identity S3Proxy accepts (it verifies SigV4 as S3 does): the harness's own key and,
     * once registered, each local principal's (a function's role, a provider's uploader). dynalite and ElasticMQ take
     * any key; who may do what is decided by the local IAM layer, not by the servers.
     */
    private final Map<String, String> secrets;

    private LocalServers(S3Proxy s3Proxy, SQSRestServer elasticMq, DynaliteProcess dynalite, String region,
                         Map<String, String> secrets) {
        this.secrets = secrets;
        this.s3Proxy = s3Proxy;
        this.elasticMq = elasticMq;
        this.dynalite = dynalite;
        this.s3Endpoint = URI.create("http://127.0.0.1:" + s3Proxy.getPort());
        this.sqsEndpoint = URI.create("http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort());
        var creds = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(EmbeddedIds.ACCESS_KEY_ID, EmbeddedIds.SECRET_ACCESS_KEY));
        Region r = Region.of(region);
        this.s3 = S3Client.builder().endpointOverride(s3Endpoint).forcePathStyle(true).region(r)
                .credentialsProvider(creds).httpClientBuilder(AwsCrtHttpClient.builder()).build();
        this.sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(r).credentialsProvider(creds)
                .httpClientBuilder(AwsCrtHttpClient.builder()).build();
        this.dynamoDb = DynamoDbClient.builder().endpointOverride(dynalite.endpoint()).region(r)
                .credentialsProvider(creds).httpClientBuilder(AwsCrtHttpClient.builder()).build();
    }

    /**
     * @param blobStoreDir null for an in-memory store
     * @param objectCreated told about every object S3Proxy stores
     */
    public static LocalServers start(String region, Path blobStoreDir, Path nodeDir,
                                     Consumer<ObjectCreated> objectCreated) throws IOException {
        return start(region, blobStoreDir, null, nodeDir, objectCreated);
    }

    /** @param dynamoDbDir LevelDB folder for dynalite (kept across its restarts); null for in memory */
    public static LocalServers start(String region, Path blobStoreDir, Path dynamoDbDir, Path nodeDir,
                                     Consumer<ObjectCreated> objectCreated) throws IOException {
        CompletableFuture<DynaliteProcess> ddb = CompletableFuture.supplyAsync(() -> {
            try {
                return DynaliteProcess.start(nodeDir, dynamoDbDir);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
        CompletableFuture<SQSRestServer> mq = CompletableFuture.supplyAsync(() -> {
            SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort()
                    .withAWSRegion(region).withAWSAccountId(EmbeddedIds.ACCOUNT).start();
            server.waitUntilStarted();
            return server;
        });
        Map<String, String> secrets = new ConcurrentHashMap<>(Map.of(EmbeddedIds.ACCESS_KEY_ID,
                EmbeddedIds.SECRET_ACCESS_KEY));
        S3Proxy proxy;
        try {
            proxy = startS3Proxy(blobStoreDir, objectCreated, secrets);
        } catch (Exception e) {
            ddb.thenAccept(DynaliteProcess::close);
            mq.thenAccept(SQSRestServer::stopAndWait);
            throw new IOException("S3Proxy did not start: " + e, e);
        }
        try {
            return new LocalServers(proxy, mq.join(), ddb.join(), region, secrets);
        } catch (CompletionException e) {
            stopQuietly(proxy);
            ddb.thenAccept(DynaliteProcess::close);
            mq.thenAccept(SQSRestServer::stopAndWait);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
        }
    }

    private static S3Proxy startS3Proxy(Path dir, Consumer<ObjectCreated> objectCreated, Map<String, String> secrets)
            throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.identity", EmbeddedIds.ACCESS_KEY_ID);
        props.setProperty("jclouds.credential", EmbeddedIds.SECRET_ACCESS_KEY);
        if (dir != null) {
            Files.createDirectories(dir);
            props.setProperty("jclouds.filesystem.basedir", dir.toString());
        }
        BlobStore store = new ObjectCreatedBlobStore(BlobStores.create(dir == null ? "transient" : "filesystem", props),
                objectCreated);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, EmbeddedIds.ACCESS_KEY_ID,
                        EmbeddedIds.SECRET_ACCESS_KEY)
                .build();
        // Many identities, each checked against its own secret; an unknown key gets S3's InvalidAccessKeyId.
        proxy.setBlobStoreLocator((identity, container, blob) -> {
            String secret = identity == null ? null : secrets.get(identity);
            return secret == null ? null : new AccessGrant(secret, store);
        });
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IOException("S3Proxy state " + proxy.getState());
            Thread.sleep(10);
        }
        return proxy;
    }

    /** Lets S3Proxy accept this access key (signatures are verified against the secret). */
    public void registerCredentials(String accessKeyId, String secret) {
        secrets.put(accessKeyId, secret);
    }

    public S3Client s3() { return s3; }
    public SqsClient sqs() { return sqs; }
    public DynamoDbClient dynamoDb() { return dynamoDb; }
    public URI s3Endpoint() { return s3Endpoint; }
    public URI sqsEndpoint() { return sqsEndpoint; }
    public URI dynamoDbEndpoint() { return dynalite.endpoint(); }
    public DynaliteProcess dynalite() { return dynalite; }

    @Override
    public void close() {
        s3.close();
        sqs.close();
        dynamoDb.close();
        stopQuietly(s3Proxy);
        elasticMq.stopAndWait();
        dynalite.close();
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            System.err.println("local stack: stopping S3Proxy: " + e);
        }
    }
}
