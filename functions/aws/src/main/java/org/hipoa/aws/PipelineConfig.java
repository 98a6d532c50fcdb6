package org.hipoa.aws;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.hipoa.domain.Settings;
import org.hipoa.domain.upload.Keys;

/**
 * The settings the handlers share (docs/PIPELINE.md), each read by {@link Settings} (its javadoc states the one
 * precedence and blank rule): Lambda sets them as environment variables, the in-process local stack as system
 * properties. A setting may be absent until a handler asks for it; then {@link MissingSettingException} names it.
 */
public record PipelineConfig(String tableName, String workBucket, String queueUrl, String studyKeySecret,
                             String modelDir, int maxReceiveCount, Duration stuckAfter, String ingestBucket) {

    public static final String TABLE_NAME = "TABLE_NAME";
    public static final String WORK_BUCKET = "WORK_BUCKET";
    public static final String QUEUE_URL = "QUEUE_URL";
    public static final String STUDY_KEY_SECRET = "STUDY_KEY_SECRET";
    public static final String MODEL_DIR = "MODEL_DIR";
    /** The bucket providers upload to: preprocess reads objects of this bucket only. */
    public static final String INGEST_BUCKET = "INGEST_BUCKET";
    /** The claim-check queue's redrive maxReceiveCount (template.yaml): on that receive inference records FAILED. */
    public static final String MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT";
    public static final int DEFAULT_MAX_RECEIVE_COUNT = 5;
    /** Minutes after which the sweeper ends an unfinished upload as TIMED_OUT. */
    public static final String STUCK_AFTER_MINUTES = "STUCK_AFTER_MINUTES";
    /**
     * Longer than every retry path an upload can be on: async invoke retries for up to 6 h (template's
     * MaximumEventAgeInSeconds), then 5 receives × 720 s visibility on the claim-check queue; a day leaves margin.
     */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofHours(24);

    /**
     * The export queue: when set, inference sends a "graded" message there for every GRADED upload and
     * the export function writes the SR into the provider's results prefix; absent, nothing is exported.
     */
    public static final String EXPORT_QUEUE_URL = "EXPORT_QUEUE_URL";

    /** Thrown when a handler needs a setting that was not configured. */
    public static final class MissingSettingException extends IllegalStateException {
        public MissingSettingException(String name) {
            super(name + " is not set (environment variable or system property)");
        }
    }

    /** The settings as {@link Settings} reads them in this JVM. */
    public static PipelineConfig fromEnvironment() {
        return from(name -> Settings.get(name).orElse(null));
    }

    /** From any lookup (name → value or null). */
    public static PipelineConfig from(UnaryOperator<String> lookup) {
        Objects.requireNonNull(lookup, "lookup");
        return new PipelineConfig(lookup.apply(TABLE_NAME), lookup.apply(WORK_BUCKET), lookup.apply(QUEUE_URL),
                lookup.apply(STUDY_KEY_SECRET), lookup.apply(MODEL_DIR),
                positive(MAX_RECEIVE_COUNT, lookup.apply(MAX_RECEIVE_COUNT), DEFAULT_MAX_RECEIVE_COUNT),
                Duration.ofMinutes(positive(STUCK_AFTER_MINUTES, lookup.apply(STUCK_AFTER_MINUTES),
                        (int) DEFAULT_STUCK_AFTER.toMinutes())), lookup.apply(INGEST_BUCKET));
    }

    /** The five string settings, the numbers at their defaults. */
    public PipelineConfig(String tableName, String workBucket, String queueUrl, String studyKeySecret,
                          String modelDir) {
        this(tableName, workBucket, queueUrl, studyKeySecret, modelDir, DEFAULT_MAX_RECEIVE_COUNT,
                DEFAULT_STUCK_AFTER, null);
    }

    private static int positive(String name, String value, int fallback) {
        if (value == null || value.isBlank()) return fallback;
        try {
            int v = Integer.parseInt(value.strip());
            if (v >= 1) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(name + " must be a whole number >= 1");
    }

    public PipelineConfig {
        tableName = blankToNull(tableName);
        workBucket = blankToNull(workBucket);
        queueUrl = blankToNull(queueUrl);
        studyKeySecret = blankToNull(studyKeySecret);
        modelDir = blankToNull(modelDir);
        ingestBucket = blankToNull(ingestBucket);
        if (maxReceiveCount < 1) throw new IllegalArgumentException("maxReceiveCount must be >= 1");
        Objects.requireNonNull(stuckAfter, "stuckAfter");
    }

    public String requireTableName() {
        return require(TABLE_NAME, tableName);
    }

    public String requireWorkBucket() {
        return require(WORK_BUCKET, workBucket);
    }

    public String requireQueueUrl() {
        return require(QUEUE_URL, queueUrl);
    }

    public String requireIngestBucket() {
        return require(INGEST_BUCKET, ingestBucket);
    }

    public Keys requireKeys() {
        return new Keys(require(STUDY_KEY_SECRET, studyKeySecret));
    }

    public Path requireModelDir() {
        return Path.of(require(MODEL_DIR, modelDir));
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "PipelineConfig[tableName=" + tableName + ", workBucket=" + workBucket + ", queueUrl=" + queueUrl
                + ", studyKeySecret=" + (studyKeySecret == null ? "absent" : "***") + ", modelDir=" + modelDir
                + ", maxReceiveCount=" + maxReceiveCount + ", stuckAfter=" + stuckAfter + ", ingestBucket="
                + ingestBucket + "]";
    }

    private static String require(String name, String value) {
        if (value == null) throw new MissingSettingException(name);
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
