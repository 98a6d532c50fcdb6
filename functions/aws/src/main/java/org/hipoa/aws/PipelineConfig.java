package org.hipoa.aws;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.hipoa.domain.upload.Keys;

/**
 * The settings the handlers share (docs/PIPELINE.md). Each is read from the environment variable of that name, else
 * from the Java system property of the same name: Lambda sets the former, the in-process local stack the latter.
 * A setting may be absent until a handler asks for it; then {@link MissingSettingException} names it.
 */
public record PipelineConfig(String tableName, String workBucket, String queueUrl, String studyKeySecret,
                             String modelDir) {

    public static final String TABLE_NAME = "TABLE_NAME";
    public static final String WORK_BUCKET = "WORK_BUCKET";
    public static final String QUEUE_URL = "QUEUE_URL";
    public static final String STUDY_KEY_SECRET = "STUDY_KEY_SECRET";
    public static final String MODEL_DIR = "MODEL_DIR";

    /** Thrown when a handler needs a setting that was not configured. */
    public static final class MissingSettingException extends IllegalStateException {
        public MissingSettingException(String name) {
            super(name + " is not set (environment variable or system property)");
        }
    }

    /** Environment variable first, then system property; blank counts as absent. */
    public static PipelineConfig fromEnvironment() {
        return from(name -> {
            String v = System.getenv(name);
            return v != null && !v.isBlank() ? v : System.getProperty(name);
        });
    }

    /** From any lookup (name → value or null). */
    public static PipelineConfig from(UnaryOperator<String> lookup) {
        Objects.requireNonNull(lookup, "lookup");
        return new PipelineConfig(lookup.apply(TABLE_NAME), lookup.apply(WORK_BUCKET), lookup.apply(QUEUE_URL),
                lookup.apply(STUDY_KEY_SECRET), lookup.apply(MODEL_DIR));
    }

    public PipelineConfig {
        tableName = blankToNull(tableName);
        workBucket = blankToNull(workBucket);
        queueUrl = blankToNull(queueUrl);
        studyKeySecret = blankToNull(studyKeySecret);
        modelDir = blankToNull(modelDir);
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
                + ", studyKeySecret=" + (studyKeySecret == null ? "absent" : "***") + ", modelDir=" + modelDir + "]";
    }

    private static String require(String name, String value) {
        if (value == null) throw new MissingSettingException(name);
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
