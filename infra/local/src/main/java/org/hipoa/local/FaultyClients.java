package org.hipoa.local;

import org.hipoa.aws.ResultItems;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * SDK clients that inject a {@link FaultPlan} around the real ones, handed to the unchanged handlers through
 * their client constructors (no test hook in product code). A JDK proxy over the client interface: builder-style
 * overloads run the interface's own default method, so every call reaches the proxy again as a request object whose
 * upload the plan can recognise.
 *
 * <p>Around each call: the invocation must still be alive (a timed-out environment makes no more calls — Lambda
 * stops it), then maybe a transient error or a hang; after a call whose effect is a pipeline step, maybe a crash.
 */
final class FaultyClients {
    private FaultyClients() {}

    /** Calls after which a crash leaves a step done and the next one not: "between any two steps". */
    private static final Set<String> CRASH_POINTS = Set.of("dynamodb.putItem", "dynamodb.updateItem", "s3.putObject",
            "sqs.sendMessage", "s3.getObject", "s3.getObjectAsBytes");

    static S3Client s3(S3Client real, FaultPlan faults) {
        return wrap(S3Client.class, real, "s3", faults);
    }

    static SqsClient sqs(SqsClient real, FaultPlan faults) {
        return wrap(SqsClient.class, real, "sqs", faults);
    }

    static DynamoDbClient dynamoDb(DynamoDbClient real, FaultPlan faults) {
        return wrap(DynamoDbClient.class, real, "dynamodb", faults);
    }

    private static <T> T wrap(Class<T> type, T real, String service, FaultPlan faults) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return method.invoke(real, args);
            if (method.isDefault() && args != null && args.length > 0 && args[0] instanceof Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args); // builds the request, calls us again
            }
            String op = service + "." + method.getName();
            Object request = args != null && args.length > 0 ? args[0] : null;
            LocalFunction.Invocation inv = LocalFunction.Invocation.current().orElse(null);
            String fn = inv == null ? null : inv.function();
            String subject = fn == null ? null : subject(request);
            if (inv != null) inv.checkAlive();
            if (subject != null) before(faults, fn, op, subject);
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (inv != null) inv.checkAlive(); // the effect may have landed; the stopped environment goes no further
            if (subject != null && CRASH_POINTS.contains(op) && faults.strike(fn, "crash after " + op, subject,
                    faults.profile().crashRate(fn))) {
                throw new FaultPlan.SimulatedCrash("injected: " + fn + " killed after " + op);
            }
            return result;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, h));
    }

    private static void before(FaultPlan faults, String fn, String op, String subject) {
        if (op.startsWith("s3.getObject") && subject.startsWith("crops:") && faults.poisoned(subject.substring(6))) {
            faults.count(fn + " poison upload threw");
            throw new IllegalStateException("injected: inference failed for this upload");
        }
        if (faults.strike(fn, "transient error before " + op, subject, faults.profile().transientRate())) {
            throw SdkClientException.create("injected: connection reset during " + op);
        }
        if (faults.strike(fn, "hang before " + op, subject, faults.profile().hangRate(fn))) {
            try {
                Thread.sleep(Long.MAX_VALUE / 4); // until the function's timeout interrupts it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalFunction.EnvironmentKilled("stopped while hanging before " + op);
            }
        }
    }

    /**
     * The upload a request is about: the item key's upload id, the crops' upload id, the claim check's upload id;
     * for the uploaded object itself, its key. Budgets are per upload id, so all write steps share one.
     */
    static String subject(Object request) {
        return switch (request) {
            case PutItemRequest r -> uploadOf(r.item());
            case UpdateItemRequest r -> uploadOf(r.key());
            case GetItemRequest r -> uploadOf(r.key());
            case PutObjectRequest r -> objectSubject(r.key());
            case GetObjectRequest r -> objectSubject(r.key());
            case SendMessageRequest r -> FaultPlan.uploadIdIn(r.messageBody());
            case null, default -> null;
        };
    }

    private static String objectSubject(String key) {
        if (key != null && key.startsWith("crops/") && key.endsWith(".npy")) {
            String id = key.substring("crops/".length(), key.length() - ".npy".length());
            return "crops:" + id;
        }
        return key;
    }

    private static String uploadOf(Map<String, AttributeValue> item) {
        if (item == null) return null;
        AttributeValue pk = item.get(ResultItems.PK);
        String prefix = ResultItems.pk("");
        if (pk == null || pk.s() == null || !pk.s().startsWith(prefix)) return null; // grants, other items
        return pk.s().substring(prefix.length());
    }
}
