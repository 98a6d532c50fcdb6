package org.hipoa.phantom;

import java.util.Locale;

/**
 * Which phantom draws a film: {@link Version#V1} (the banded grades the shipped models were trained on, kept so their
 * figures can be reproduced) or {@link Version#V2} (continuous disease read by simulated readers), and for v2 which
 * site: {@link Site#INTERNAL} (the training and internal-test population, reader A) or {@link Site#EXTERNAL} (another
 * hospital's equipment, positioning, case mix and reader B).
 */
public record PhantomSpec(Version version, Site site) {

    public enum Version { V1, V2 }

    public enum Site {
        INTERNAL, EXTERNAL;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What {@code ./hipoa phantom} draws without {@code --phantom}: the shipped models' phantom. */
    public static final PhantomSpec V1 = new PhantomSpec(Version.V1, Site.INTERNAL);
    public static final PhantomSpec V2_INTERNAL = new PhantomSpec(Version.V2, Site.INTERNAL);
    public static final PhantomSpec V2_EXTERNAL = new PhantomSpec(Version.V2, Site.EXTERNAL);

    public PhantomSpec {
        if (version == null || site == null) throw new IllegalArgumentException("version and site are required");
        if (version == Version.V1 && site == Site.EXTERNAL) {
            throw new IllegalArgumentException("phantom v1 has no external site; use --phantom v2 --site external");
        }
    }

    /** From the command-line words ({@code v1|v2}, {@code internal|external}); a null site means internal. */
    public static PhantomSpec parse(String version, String site) {
        Version v = switch (version == null ? "v1" : version.toLowerCase(Locale.ROOT)) {
            case "v1" -> Version.V1;
            case "v2" -> Version.V2;
            default -> throw new IllegalArgumentException("--phantom must be v1 or v2, got '" + version + "'");
        };
        Site s = switch (site == null ? "internal" : site.toLowerCase(Locale.ROOT)) {
            case "internal" -> Site.INTERNAL;
            case "external" -> Site.EXTERNAL;
            default -> throw new IllegalArgumentException("--site must be internal or external, got '" + site + "'");
        };
        return new PhantomSpec(v, s);
    }

    public String label() {
        return version.name().toLowerCase(Locale.ROOT) + (version == Version.V2 ? " " + site.key() : "");
    }
}
