package org.hipoa.local.iam;

import org.hipoa.local.iam.SdkIamMapping.Requests;
import org.hipoa.local.iam.SdkIamMapping.UnmappedRequestException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ComparisonOperator;
import software.amazon.awssdk.services.dynamodb.model.Condition;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.hipoa.local.iam.SdkIamMapping.operation;
import static org.hipoa.local.iam.SdkIamMapping.unmapped;

/**
 * DynamoDB's actions are named after its operations; the resource is the table, or the index a Query or Scan reads;
 * {@code dynamodb:LeadingKeys} carries the partition key values the call touches (DynamoDB developer guide, "Using
 * IAM policy conditions for fine-grained access control").
 */
final class DynamoDbMapping {
    private DynamoDbMapping() {}

    /** Table-level operations without item keys: the action on the table, no LeadingKeys. */
    private static final List<String> TABLE_OPERATIONS = List.of(
            "DescribeTable", "CreateTable", "DeleteTable", "UpdateTable", "DescribeTimeToLive", "UpdateTimeToLive",
            "DescribeContinuousBackups", "UpdateContinuousBackups", "ListTagsOfResource", "TagResource",
            "UntagResource");

    /** {@code name = :value} or {@code :value = name}, one conjunct of a key condition. */
    private static final Pattern EQUALITY = Pattern.compile(
            "^\\(*\\s*(?:([#A-Za-z0-9_.\\-]+)\\s*=\\s*(:[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)\\s*=\\s*([#A-Za-z0-9_.\\-]+))"
                    + "\\s*\\)*$");
    private static final Pattern AND = Pattern.compile("\\s+(?i:and)\\s+");

    static void map(DynamoDbRequest r, Requests out) {
        String action = "dynamodb:" + operation(r);
        switch (r) {
            case GetItemRequest g -> item(action, g.tableName(), g.key(), out);
            case PutItemRequest p -> item(action, p.tableName(), p.item(), out);
            case UpdateItemRequest u -> item(action, u.tableName(), u.key(), out);
            case DeleteItemRequest d -> item(action, d.tableName(), d.key(), out);
            case QueryRequest q -> {
                ServiceModel.Table table = table(q.tableName(), out, action);
                String hashKey = hashKey(table, q.indexName(), action);
                String value = queryHashValue(q, hashKey, action);
                out.add(action, arn(table, q.indexName(), out), leadingKeys(List.of(value)));
            }
            case ScanRequest s -> out.add(action, arn(table(s.tableName(), out, action), s.indexName(), out), Map.of());
            case BatchGetItemRequest b -> {
                for (Map.Entry<String, KeysAndAttributes> e : b.requestItems().entrySet()) {
                    ServiceModel.Table table = table(e.getKey(), out, action);
                    List<String> keys = new ArrayList<>();
                    for (Map<String, AttributeValue> key : e.getValue().keys()) keys.add(value(key, table, action));
                    out.add(action, arn(table, null, out), leadingKeys(keys));
                }
            }
            case BatchWriteItemRequest b -> {
                for (Map.Entry<String, List<WriteRequest>> e : b.requestItems().entrySet()) {
                    ServiceModel.Table table = table(e.getKey(), out, action);
                    List<String> keys = new ArrayList<>();
                    for (WriteRequest w : e.getValue()) {
                        keys.add(value(w.putRequest() != null ? w.putRequest().item() : w.deleteRequest().key(),
                                table, action));
                    }
                    out.add(action, arn(table, null, out), leadingKeys(keys));
                }
            }
            default -> {
                if (operation(r).equals("ListTables")) {
                    out.add(action, "*", Map.of());
                } else if (TABLE_OPERATIONS.contains(operation(r))) {
                    String name = r.getValueForField("TableName", String.class)
                            .orElseThrow(() -> unmapped(r, "a call without TableName"));
                    out.add(action, "arn:aws:dynamodb:" + out.model.region() + ":" + out.model.account() + ":table/"
                            + name, Map.of());
                } else {
                    throw unmapped(r, "the operation");
                }
            }
        }
    }

    private static void item(String action, String tableName, Map<String, AttributeValue> key, Requests out) {
        ServiceModel.Table table = table(tableName, out, action);
        out.add(action, arn(table, null, out), leadingKeys(List.of(value(key, table, action))));
    }

    private static Map<String, List<String>> leadingKeys(List<String> values) {
        Set<String> distinct = new LinkedHashSet<>(values);
        return Map.of("dynamodb:LeadingKeys", List.copyOf(distinct));
    }

    private static String value(Map<String, AttributeValue> key, ServiceModel.Table table, String action) {
        AttributeValue v = key.get(table.hashKey());
        if (v == null) {
            throw new UnmappedRequestException(action + " on table '" + table.name() + "': the key or item has no "
                    + "partition key attribute '" + table.hashKey() + "' (has " + key.keySet() + ")");
        }
        return scalar(v, table.hashKey(), action);
    }

    /** A key attribute is a string, number or binary; IAM sees binary values base64-encoded. */
    private static String scalar(AttributeValue v, String name, String action) {
        if (v.s() != null) return v.s();
        if (v.n() != null) return v.n();
        if (v.b() != null) return Base64.getEncoder().encodeToString(v.b().asByteArray());
        throw new UnmappedRequestException(action + ": partition key '" + name + "' is not a string, number or "
                + "binary value: " + v);
    }

    /** The value the query binds to the partition key, from KeyConditionExpression or the legacy KeyConditions. */
    static String queryHashValue(QueryRequest q, String hashKey, String action) {
        if (q.keyConditionExpression() != null) {
            for (String part : AND.split(q.keyConditionExpression().trim())) {
                Matcher m = EQUALITY.matcher(part.trim());
                if (!m.matches()) continue;
                String name = m.group(1) != null ? m.group(1) : m.group(4);
                String placeholder = m.group(1) != null ? m.group(2) : m.group(3);
                if (name.startsWith("#")) name = q.expressionAttributeNames().getOrDefault(name, name);
                if (!name.equals(hashKey)) continue;
                AttributeValue v = q.expressionAttributeValues().get(placeholder);
                if (v == null) {
                    throw new UnmappedRequestException(action + ": " + placeholder + " in KeyConditionExpression '"
                            + q.keyConditionExpression() + "' has no ExpressionAttributeValues entry");
                }
                return scalar(v, hashKey, action);
            }
        } else if (q.hasKeyConditions()) {
            Condition c = q.keyConditions().get(hashKey);
            if (c != null && c.comparisonOperator() == ComparisonOperator.EQ && c.attributeValueList().size() == 1) {
                return scalar(c.attributeValueList().get(0), hashKey, action);
            }
        }
        throw new UnmappedRequestException(action + " on table '" + q.tableName() + "'"
                + (q.indexName() == null ? "" : " index '" + q.indexName() + "'") + ": no equality on the partition key '"
                + hashKey + "' in " + (q.keyConditionExpression() != null
                ? "KeyConditionExpression '" + q.keyConditionExpression() + "'" : "KeyConditions " + q.keyConditions()));
    }

    private static String hashKey(ServiceModel.Table table, String index, String action) {
        if (index == null) return table.hashKey();
        String key = table.indexHashKeys().get(index);
        if (key == null) {
            throw new UnmappedRequestException(action + ": index '" + index + "' of table '" + table.name()
                    + "' is not in the local stack's service model (known: " + table.indexHashKeys().keySet() + ")");
        }
        return key;
    }

    private static ServiceModel.Table table(String name, Requests out, String action) {
        ServiceModel.Table t = out.model.tables().get(name);
        if (t == null) {
            throw new UnmappedRequestException(action + ": table '" + name + "' is not in the local stack's service "
                    + "model (known: " + out.model.tables().keySet().stream().sorted().toList() + ")");
        }
        return t;
    }

    private static String arn(ServiceModel.Table table, String index, Requests out) {
        String arn = "arn:aws:dynamodb:" + out.model.region() + ":" + out.model.account() + ":table/" + table.name();
        return index == null ? arn : arn + "/index/" + index;
    }
}
