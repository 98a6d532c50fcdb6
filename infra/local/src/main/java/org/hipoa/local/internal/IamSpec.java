package org.hipoa.local.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.local.StackNames;
import org.hipoa.local.iam.CfnBinding;
import org.hipoa.local.iam.CfnTemplate;
import org.hipoa.local.iam.LocalIam;
import org.hipoa.local.iam.LocalPrincipal;
import org.hipoa.local.iam.ServiceModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the local IAM is built from: template.yaml and what binds it to one running stack (its region, bucket,
 * table and queue names, the table's keys). Both the stack's JVM and each function process it starts build their IAM
 * from one such value (the processes read it as JSON), so a call is judged alike wherever the function runs.
 *
 * @param export null when the stack has no export step
 */
public record IamSpec(Path template, String region, StackNames names, StackResources.Queues claimCheck,
                      StackResources.Queues export, Map<String, String> tableHashKeys) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public IamSpec {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(claimCheck, "claimCheck");
        tableHashKeys = Map.copyOf(tableHashKeys);
        template = template.toAbsolutePath().normalize();
    }

    /** The same stack under another template (a test's copy with a statement removed, say). */
    public IamSpec withTemplate(Path other) {
        return new IamSpec(other, region, names, claimCheck, export, tableHashKeys);
    }

    /** The policies and the resource model, and the role principals (which sign with keys the servers must know). */
    public record Built(LocalIam iam, ServiceModel model, List<LocalPrincipal> roles, CfnTemplate template) {}

    /** The template's policies bound to this stack's resources. */
    public Built build() {
        // Stage names the buckets (and the roles' bucket ARNs, which the template writes with it): local.
        CfnBinding.Builder b = CfnBinding.builder().account(EmbeddedIds.ACCOUNT).region(region)
                .parameter("Stage", StackIam.STAGE).physicalName("ResultsTable", names.table())
                .physicalName("ClaimCheckQueue", name(claimCheck.queueArn()))
                .physicalName("ClaimCheckDLQ", name(claimCheck.deadLetterQueueArn()));
        if (export != null) {
            b.physicalName("ExportQueue", name(export.queueArn()))
                    .physicalName("ExportDLQ", name(export.deadLetterQueueArn()));
        }
        CfnTemplate cfn = CfnTemplate.load(template).withBinding(b.build());
        String ingestArn = cfn.getAtt("IngestBucket", "Arn"), workArn = cfn.getAtt("WorkBucket", "Arn");
        if (!ingestArn.endsWith(":" + names.ingestBucket()) || !workArn.endsWith(":" + names.workBucket())) {
            throw new IllegalStateException("template.yaml names the buckets " + ingestArn + ", " + workArn
                    + " for Stage " + StackIam.STAGE + "; the stack's are " + names.ingestBucket() + ", "
                    + names.workBucket());
        }
        LocalIam iam = LocalIam.fromTemplate(cfn);
        String key = cfn.getAtt("HipoaKey", "Arn");
        Map<String, String> rangeKeys = new java.util.HashMap<>(tableHashKeys);
        String tableKey = rangeKeys.remove("");
        ServiceModel.Builder model = ServiceModel.builder(EmbeddedIds.ACCOUNT, region)
                .bucket(names.ingestBucket(), key).bucket(names.workBucket(), key)
                .table(names.table(), tableKey, rangeKeys)
                .queue(claimCheck.queueUrl(), name(claimCheck.queueArn()), key)
                .queue(claimCheck.deadLetterQueueUrl(), name(claimCheck.deadLetterQueueArn()), key);
        if (export != null) {
            model.queue(export.queueUrl(), name(export.queueArn()), key)
                    .queue(export.deadLetterQueueUrl(), name(export.deadLetterQueueArn()), key);
        }
        List<LocalPrincipal> roles = new ArrayList<>();
        for (String role : cfn.logicalIds("AWS::IAM::Role")) {
            iam.principal(role).ifPresent(p -> {
                model.principal(p.accessKeyId(), p.callerArn());
                roles.add(p);
            });
        }
        model.principal(iam.admin().accessKeyId(), iam.admin().callerArn());
        return new Built(iam, model.build(), List.copyOf(roles), cfn);
    }

    public void write(Path json) {
        try {
            JSON.writeValue(json.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + json, e);
        }
    }

    public static IamSpec read(Path json) {
        try {
            return JSON.readValue(json.toFile(), IamSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the local IAM's settings from " + json, e);
        }
    }

    private static String name(String arn) {
        return arn.substring(arn.lastIndexOf(':') + 1);
    }
}
