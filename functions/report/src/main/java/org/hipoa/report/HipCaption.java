package org.hipoa.report;

import org.hipoa.domain.Side;
import org.hipoa.domain.result.HipGrades;
import org.hipoa.domain.result.HipResult;

import java.util.List;
import java.util.Locale;

/**
 * The words a PACS viewer shows beside a hip on the film: its side, then its grades or why it has none. Short lines
 * (a viewer draws them as one text box next to the point, and OHIF shows at most five), plain ASCII (the SR keeps the
 * default character repertoire), the abbreviations a radiologist reads in the OARSI atlas.
 */
public final class HipCaption {
    private HipCaption() {}

    public static List<String> lines(Side side, HipResult hip) {
        String title = (side == Side.RIGHT ? "Right" : "Left") + " hip";
        if (hip.grades().isEmpty()) {
            String why = hip.notGradable().orElseThrow().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            return List.of(title, "not gradable: " + why);
        }
        HipGrades g = hip.grades().get();
        return List.of(title, "FO " + g.fo() + ", AO " + g.ao() + ", JSN " + g.jsn(),
                "sclerosis " + (g.sclerosis() ? "present" : "absent") + ", cysts " + (g.cysts() ? "present" : "absent"));
    }
}
