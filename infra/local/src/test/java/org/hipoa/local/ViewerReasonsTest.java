package org.hipoa.local;

import org.hipoa.domain.Reason;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The viewer explains, in words, every reason an upload can fail for (the export's own reasons never reach it). */
class ViewerReasonsTest {
    @Test
    void everyReasonHasASentence() throws Exception {
        String app = Files.readString(Path.of("../../viewer/app.js"));
        int start = app.indexOf("const REASONS = {");
        String block = app.substring(start, app.indexOf("};", start));
        List<String> explained = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s+([A-Z_]+): '").matcher(block);
        while (m.find()) explained.add(m.group(1));
        List<String> reasons = new ArrayList<>();
        for (Reason r : Reason.values()) if (!Reason.EXPORT.contains(r)) reasons.add(r.name());
        assertEquals(reasons.stream().sorted().toList(), explained.stream().sorted().toList());
    }
}
