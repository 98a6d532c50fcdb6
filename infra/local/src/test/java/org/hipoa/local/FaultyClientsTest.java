package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault-injecting clients: a crash lands after the step's effect; a stopped environment calls nothing more. */
class FaultyClientsTest {
    private static final String EVENT = "{\"Records\":[]}";
    private static final String UPLOAD = "0123456789abcdef0123456789abcdef";

    /** A DynamoDB "server" that records what reached it. */
    private static DynamoDbClient recording(List<String> calls) {
        return (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(),
                new Class<?>[]{DynamoDbClient.class}, (p, m, a) -> switch (m.getName()) {
                    case "putItem" -> {
                        calls.add("putItem " + ((software.amazon.awssdk.services.dynamodb.model.PutItemRequest) a[0])
                                .item().get("pk").s());
                        yield PutItemResponse.builder().build();
                    }
                    case "serviceName" -> "dynamodb";
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static void put(DynamoDbClient c) {
        // the builder overload, as the handlers call it: the proxy still sees the request and its upload
        c.putItem(b -> b.tableName("results").item(Map.of("pk", AttributeValue.fromS("UPLOAD#" + UPLOAD))));
    }

    @Test
    void aCrashAfterAStepLeavesItsEffect_andTheBudgetStopsFurtherOnes() {
        List<String> calls = new CopyOnWriteArrayList<>();
        FaultPlan faults = new FaultPlan(1, new FaultPlan.Profile(0, Duration.ZERO, 1.0, 0, 0, 0, 0, 0, 0, 0, 0,
                Duration.ZERO, 1));
        DynamoDbClient client = FaultyClients.dynamoDb(recording(calls), faults);
        try (LocalFunction<S3Event, String> f = new LocalFunction<>("PreprocessFunction", "us-east-1", S3Event.class,
                () -> (RequestHandler<S3Event, String>) (e, ctx) -> {
                    put(client);
                    return "ok";
                }, 1, Duration.ofSeconds(10))) {
            LocalFunction.FunctionError e = assertThrows(LocalFunction.FunctionError.class, () -> f.invoke(EVENT));
            assertInstanceOf(FaultPlan.SimulatedCrash.class, e.getCause());
            assertEquals(List.of("putItem UPLOAD#" + UPLOAD), calls, "the write happened before the crash");
            assertEquals("ok", f.invoke(EVENT), "one injected failure per upload: the retry goes through");
            assertEquals(2, calls.size());
            assertEquals(Map.of("PreprocessFunction crash after dynamodb.putItem", 1), faults.injected());
        }
    }

    @Test
    void aTimedOutEnvironmentMakesNoFurtherCall() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        FaultPlan faults = new FaultPlan(1, new FaultPlan.Profile(0, Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                Duration.ZERO, 0));
        DynamoDbClient client = FaultyClients.dynamoDb(recording(calls), faults);
        CountDownLatch after = new CountDownLatch(1);
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        try (LocalFunction<S3Event, String> f = new LocalFunction<>("PreprocessFunction", "us-east-1", S3Event.class,
                () -> (RequestHandler<S3Event, String>) (e, ctx) -> {
                    long until = System.nanoTime() + 1_000_000_000L;
                    while (System.nanoTime() < until) Thread.onSpinWait(); // busy past the timeout, deaf to interrupts
                    try {
                        put(client);
                    } catch (Throwable t) {
                        seen.add(t);
                    }
                    after.countDown();
                    return "late";
                }, 1, Duration.ofMillis(200))) {
            assertTrue(assertThrows(LocalFunction.FunctionError.class, () -> f.invoke(EVENT)).timedOut());
            assertTrue(after.await(5, TimeUnit.SECONDS));
            assertTrue(calls.isEmpty(), "the write of a stopped invocation never reached DynamoDB: " + calls);
            assertInstanceOf(LocalFunction.EnvironmentKilled.class, seen.getFirst());
        }
    }
}
