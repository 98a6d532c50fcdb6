package org.hipoa.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.hipoa.aws.AwsClients;
import org.hipoa.aws.PipelineConfig;
import org.hipoa.inference.DeadLetterHandler;
import org.hipoa.inference.InferenceHandler;
import org.hipoa.preprocess.PreprocessHandler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A seeded fault plan for the local stack (fault injection for the load test). Every decision is a pure function of
 * (seed, fault kind, subject, how often that subject was asked before) — the subject being the upload (its id, read
 * from the request a handler makes) or the object key — so one seed injects the same faults into the same uploads
 * in every run, whatever order the threads happen to run in. What the clock decides stays the clock's: which
 * messages share a batch, and which calls fall into a DynamoDB outage.
 *
 * <p>Faults, each with a rate in its {@link Profile}:
 * <ul>
 *   <li>S3 events delayed (uniform up to {@code s3MaxDelay}), duplicated (a second and third delivery) and so
 *       reordered;</li>
 *   <li>a handler killed right after one of its steps (RECEIVED written, crops written, message sent, status
 *       written; in inference: crops read, result written) — an {@link Error} out of the SDK call, so the runtime
 *       counts a crash and Lambda retries the event;</li>
 *   <li>a transient SDK error before a call; a hang before a call until the function's timeout stops it;</li>
 *   <li>inference throwing for chosen uploads (every time: a poison message), or failing every batch that holds a
 *       chosen upload (a whole-batch function error);</li>
 *   <li>the work bucket losing chosen crops right after they were written;</li>
 *   <li>DynamoDB killed and restarted (data kept) at chosen points of the run ({@link #outages(int)}).</li>
 * </ul>
 * The DLQ consumer ({@link #deadLetter()}) gets the inference function's crash and hang rates and its own budget.
 * {@code faultsPerUpload} bounds the injected handler failures per upload and function, so a "survivable" profile
 * never exhausts the retries AWS gives (two async retries; maxReceiveCount 5) by bad luck alone.
 */
public final class FaultPlan {
    /** An {@link Error}: the runtime died right after a step whose effect is already stored. */
    public static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(String message) {
            super(message);
        }
    }

    /**
     * Rates (0..1) of each fault. Crash and hang rates are per step of the preprocess function; the inference
     * function has its own, because one of its crashes or hangs fails the whole batch.
     *
     * @param faultsPerUpload most injected crashes/errors/hangs per upload and function
     * @param dynamoOutages   how many times DynamoDB is killed and restarted during a run
     */
    public record Profile(double s3DuplicateRate, Duration s3MaxDelay, double crashRate, double hangRate,
                          double inferenceCrashRate, double inferenceHangRate, double transientRate,
                          double poisonRate, double batchPoisonRate, double lostCropsRate,
                          int dynamoOutages, Duration dynamoOutageMax, int faultsPerUpload) {
        public Profile {
            for (double r : new double[]{s3DuplicateRate, crashRate, hangRate, inferenceCrashRate, inferenceHangRate,
                    transientRate, poisonRate, batchPoisonRate, lostCropsRate}) {
                if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("rates must be 0..1");
            }
            if (dynamoOutages < 0 || faultsPerUpload < 0) throw new IllegalArgumentException("counts must be >= 0");
        }

        /**
         * What a correct pipeline must survive with every upload ending GRADED: at-least-once, late and reordered
         * events, crashes between steps, transient errors, timeouts, DynamoDB restarts — in both functions.
         */
        public static Profile survivable() {
            return new Profile(0.3, Duration.ofMillis(1500), 0.03, 0.01, 0.01, 0.005, 0.02, 0, 0, 0, 2,
                    Duration.ofMillis(1500), 1);
        }

        /**
         * {@link #survivable()} without crashes and hangs in the inference function, i.e. without whole-batch
         * failures: what handlers without per-message isolation would survive (a whole-batch failure there takes healthy messages
         * towards the DLQ).
         */
        public static Profile survivableWithoutBatchFailures() {
            return survivable().withInference(0, 0);
        }

        /**
         * Survivable plus faults that end an upload FAILED if the pipeline is right: poison messages, whole-batch
         * failures, lost crops.
         */
        public static Profile hostile() {
            return survivable().withPoison(0.01, 0.01, 0.02);
        }

        public Profile withPoison(double poison, double batchPoison, double lostCrops) {
            return new Profile(s3DuplicateRate, s3MaxDelay, crashRate, hangRate, inferenceCrashRate,
                    inferenceHangRate, transientRate, poison, batchPoison, lostCrops, dynamoOutages, dynamoOutageMax,
                    faultsPerUpload);
        }

        public Profile withInference(double crash, double hang) {
            return new Profile(s3DuplicateRate, s3MaxDelay, crashRate, hangRate, crash, hang, transientRate,
                    poisonRate, batchPoisonRate, lostCropsRate, dynamoOutages, dynamoOutageMax, faultsPerUpload);
        }

        public Profile withDynamoOutages(int n) {
            return new Profile(s3DuplicateRate, s3MaxDelay, crashRate, hangRate, inferenceCrashRate,
                    inferenceHangRate, transientRate, poisonRate, batchPoisonRate, lostCropsRate, n, dynamoOutageMax,
                    faultsPerUpload);
        }

        double crashRate(String function) {
            return grades(function) ? inferenceCrashRate : crashRate;
        }

        double hangRate(String function) {
            return grades(function) ? inferenceHangRate : hangRate;
        }

        /** The functions that run the grader: inference, and the DLQ consumer's solo grade (same image, code). */
        private static boolean grades(String function) {
            return function.startsWith("Inference") || function.startsWith("DeadLetter");
        }
    }

    /** DynamoDB goes down once {@code afterTerminal} uploads have ended, for {@code length}. */
    public record Outage(int afterTerminal, Duration length) {}

    private static final Pattern UPLOAD_ID = Pattern.compile("\"uploadId\"\\s*:\\s*\"([^\"]+)\"");

    private final long seed;
    private final Profile profile;
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> budget = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> injected = new ConcurrentHashMap<>();
    private final Map<String, Boolean> lost = new ConcurrentHashMap<>();
    /** function|upload pairs that got an injected crash, hang or transient error. */
    private final java.util.Set<String> struck = ConcurrentHashMap.newKeySet();
    /** The uploads of the DLQ consumer's invocation running on this thread (its SDK calls run on it too). */
    private final ThreadLocal<List<String>> invocationUploads = new ThreadLocal<>();

    public FaultPlan(long seed, Profile profile) {
        this.seed = seed;
        this.profile = profile;
    }

    public long seed() {
        return seed;
    }

    public Profile profile() {
        return profile;
    }

    /** A value in [0, 1) fixed by the seed and the words (FNV-1a, then SplitMix64's finaliser). */
    double uniform(String... words) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (String w : words) {
            for (byte b : w.getBytes(StandardCharsets.UTF_8)) {
                h ^= b;
                h *= 0x100000001b3L;
            }
            h ^= 0x1f;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** A budgeted handler fault: the n-th time this (function, kind, subject) is asked, within the upload's budget. */
    boolean strike(String function, String kind, String subject, double rate) {
        if (rate <= 0 || subject == null) return false;
        int n = asked.computeIfAbsent(function + "|" + kind + "|" + subject, k -> new AtomicInteger()).getAndIncrement();
        if (uniform(function, kind, subject, Integer.toString(n)) >= rate) return false;
        // Crops are named by the upload too: one budget per upload and function, whatever the step.
        String upload = subject.startsWith("crops:") ? subject.substring("crops:".length()) : subject;
        AtomicInteger used = budget.computeIfAbsent(function + "|" + upload, k -> new AtomicInteger());
        if (used.incrementAndGet() > profile.faultsPerUpload()) return false;
        count(function + " " + kind);
        struck.add(function + "|" + upload);
        // A subject may be an object key without the upload id (a hip picture, the uploaded film): the struck
        // invocation's uploads are the ones it was working for.
        List<String> working = invocationUploads.get();
        if (working != null) working.forEach(id -> struck.add(function + "|" + id));
        return true;
    }

    /** An unbudgeted property of a subject, the same every time it is asked (poison uploads, lost crops). */
    boolean chosen(String kind, String subject, double rate) {
        return rate > 0 && subject != null && uniform(kind, subject) < rate;
    }

    void count(String what) {
        injected.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    /** What was injected so far, by kind. */
    public Map<String, Integer> injected() {
        Map<String, Integer> out = new TreeMap<>();
        injected.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    // --- S3 notifications -------------------------------------------------------------------------------------------

    /** The delays of each delivery of one object's event: one, or two or three when duplicated; each delayed. */
    public List<Duration> deliveries(ObjectCreated o) {
        String key = o.key() + "#" + o.eTag();
        int n = 1;
        if (uniform("s3-dup", key) < profile.s3DuplicateRate()) n++;
        if (n == 2 && uniform("s3-dup2", key) < profile.s3DuplicateRate()) n++;
        if (n > 1) count("s3 duplicate deliveries");
        List<Duration> out = new ArrayList<>(n);
        long max = profile.s3MaxDelay().toMillis();
        for (int i = 0; i < n; i++) {
            out.add(Duration.ofMillis((long) (uniform("s3-delay", key, Integer.toString(i)) * max)));
        }
        return out;
    }

    // --- the work bucket --------------------------------------------------------------------------------------------

    /** True when these crops are to vanish from the work bucket right after they were written. */
    public boolean loses(String workKey) {
        boolean l = chosen("lost-crops", workKey, profile.lostCropsRate());
        if (l && lost.putIfAbsent(workKey, true) == null) count("work bucket objects lost");
        return l;
    }

    /** Crop keys this plan deleted. */
    public java.util.Set<String> lostKeys() {
        return java.util.Set.copyOf(lost.keySet());
    }

    // --- DynamoDB outages ----------------------------------------------------------------------------------------------

    /**
     * The outages of a run of {@code uploads} uploads: spread between 10 % and 80 % of them ended (so they hit the
     * pipeline while it works, not the uploaders), each up to dynamoOutageMax.
     */
    public List<Outage> outages(int uploads) {
        List<Outage> out = new ArrayList<>();
        for (int i = 0; i < profile.dynamoOutages(); i++) {
            int after = (int) (uploads * (0.1 + 0.7 * uniform("outage-at", Integer.toString(i))));
            long ms = 200 + (long) (uniform("outage-len", Integer.toString(i))
                    * Math.max(0, profile.dynamoOutageMax().toMillis() - 200));
            out.add(new Outage(after, Duration.ofMillis(ms)));
        }
        out.sort(java.util.Comparator.comparingInt(Outage::afterTerminal));
        return out;
    }

    // --- handlers ---------------------------------------------------------------------------------------------------

    /** The real preprocess handler, built as Lambda builds it but with fault-injecting SDK clients. */
    public Supplier<RequestHandler<S3Event, Void>> preprocess() {
        return () -> new PreprocessHandler(PipelineConfig.fromEnvironment(), FaultyClients.s3(AwsClients.s3(), this),
                FaultyClients.sqs(AwsClients.sqs(), this), FaultyClients.dynamoDb(AwsClients.dynamoDb(), this));
    }

    /**
     * The real inference handler with fault-injecting clients, behind a wrapper that fails every batch holding a
     * batch-poison upload (as a grader error or an out-of-memory would).
     */
    public Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> inference() {
        return () -> {
            RequestHandler<SQSEvent, SQSBatchResponse> real = new InferenceHandler(PipelineConfig.fromEnvironment(),
                    FaultyClients.s3(AwsClients.s3(), this), FaultyClients.dynamoDb(AwsClients.dynamoDb(), this));
            return (event, ctx) -> {
                for (SQSEvent.SQSMessage m : event.getRecords()) {
                    String id = uploadIdIn(m.getBody());
                    if (chosen("batch-poison", id, profile.batchPoisonRate())) {
                        count("inference batch failures (poison upload in the batch)");
                        throw new IllegalStateException("injected: the grader failed for the batch");
                    }
                }
                return real.handleRequest(event, ctx);
            };
        };
    }

    /**
     * The real DLQ consumer with fault-injecting clients (crashes, hangs and transient errors at the inference
     * function's rates: its solo grade runs the same code), behind a wrapper that fails its solo grade of a
     * batch-poison upload, as that upload's batches fail in inference. Its later, table-only receive is not failed:
     * that is what ends such an upload.
     */
    public Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> deadLetter() {
        return () -> {
            PipelineConfig config = PipelineConfig.fromEnvironment();
            RequestHandler<SQSEvent, SQSBatchResponse> real = new DeadLetterHandler(config,
                    FaultyClients.s3(AwsClients.s3(), this), FaultyClients.dynamoDb(AwsClients.dynamoDb(), this));
            return (event, ctx) -> {
                for (SQSEvent.SQSMessage m : event.getRecords()) {
                    if (DeadLetterHandler.gradesAlone(m, config.maxReceiveCount())
                            && chosen("batch-poison", uploadIdIn(m.getBody()), profile.batchPoisonRate())) {
                        count("dead-letter solo grade failures (poison upload)");
                        throw new IllegalStateException("injected: the grader failed for the study");
                    }
                }
                invocationUploads.set(event.getRecords().stream().map(m -> uploadIdIn(m.getBody()))
                        .filter(java.util.Objects::nonNull).toList());
                try {
                    return real.handleRequest(event, ctx);
                } finally {
                    invocationUploads.remove();
                }
            };
        };
    }

    /**
     * True when this plan injected a crash, hang or transient error into {@code function} for this upload. For the
     * DLQ consumer that means its one solo grade may have been hit, and DEAD_LETTERED is then the designed end.
     */
    public boolean struck(String function, String uploadId) {
        return struck.contains(function + "|" + uploadId);
    }

    /** Uploads whose every inference attempt throws. */
    public boolean poisoned(String uploadId) {
        return chosen("poison", uploadId, profile.poisonRate());
    }

    /** Uploads whose batches always fail. */
    public boolean batchPoisoned(String uploadId) {
        return chosen("batch-poison", uploadId, profile.batchPoisonRate());
    }

    static String uploadIdIn(String json) {
        if (json == null) return null;
        Matcher m = UPLOAD_ID.matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
