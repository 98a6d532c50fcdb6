package org.hipoa.domain;

/**
 * The stage names under which every part of the flow reports milliseconds (the command line's {@code timingsMs},
 * the stored record's preprocess and inference timings, the benchmarks). One place, so a stage has one name.
 */
public final class Timings {
    private Timings() {}

    /** Reading the file (command line). */
    public static final String READ = "read";
    /** Decoding bytes already in memory. */
    public static final String DECODE = "decode";
    /** Reading and decoding from a stream (the preprocess function reads S3 as it decodes). */
    public static final String READ_DECODE = "readDecode";
    public static final String LOCALISER_INPUT = "localiserInput";
    public static final String LOCALISE = "localise";
    public static final String CROP = "crop";
    public static final String GRADE = "grade";
    public static final String STORE_CROPS = "storeCrops";
    public static final String READ_CROPS = "readCrops";
    /** One grader call for every hip of an SQS batch. */
    public static final String GRADE_BATCH = "gradeBatch";
    public static final String TOTAL = "total";

    /** Whole milliseconds since {@code startNanos} ({@link System#nanoTime()}). */
    public static long msSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
