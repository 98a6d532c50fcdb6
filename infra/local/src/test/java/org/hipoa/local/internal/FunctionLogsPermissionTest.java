package org.hipoa.local.internal;

import org.hipoa.local.iam.CfnBinding;
import org.hipoa.local.iam.CfnTemplate;
import org.hipoa.local.iam.LocalIam;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A function whose role cannot write its own log group stops the local stack (AWS would drop its logs silently). */
class FunctionLogsPermissionTest {
    static CfnTemplate template(String yaml) {
        return CfnTemplate.parse(yaml).withBinding(CfnBinding.builder().parameter("Stage", StackIam.STAGE).build());
    }

    @Test
    void theTemplatesRoles_writeTheirLogs_andARoleWithoutOwnLogsIsRefused() throws Exception {
        String yaml = Files.readString(Path.of("../../template.yaml"));
        CfnTemplate real = template(yaml);
        assertDoesNotThrow(() -> StackIam.everyFunctionCanWriteItsLogs(LocalIam.fromTemplate(real), real));

        int at = yaml.indexOf("  PreprocessRole:");
        int from = yaml.indexOf("              - Sid: OwnLogs", at);
        int to = yaml.indexOf("              - Sid:", from + 10);
        CfnTemplate without = template(yaml.substring(0, from) + yaml.substring(to));
        var e = assertThrows(IllegalStateException.class,
                () -> StackIam.everyFunctionCanWriteItsLogs(LocalIam.fromTemplate(without), without));
        assertTrue(e.getMessage().startsWith("PreprocessFunction: its role PreprocessRole may not logs:CreateLogStream"),
                e.getMessage());
    }
}
