package org.hipoa.local;

import org.hipoa.aws.ResultItems;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scans the results table over and over while a run goes on and records, per upload, the sequence of statuses it
 * saw (a new entry only when the status changed). It sees what a partner polling the table could see; a change
 * between two scans is missed, a regression that lasts until the next scan is not. Scans that fail (DynamoDB down)
 * are counted and skipped.
 */
public final class StatusWatcher implements AutoCloseable {
    private final EmbeddedAws aws;
    private final long pauseMillis;
    private final Map<String, List<String>> seen = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger scans = new AtomicInteger();
    private final AtomicInteger failedScans = new AtomicInteger();
    private final Thread thread;

    public StatusWatcher(EmbeddedAws aws, long pauseMillis) {
        this.aws = aws;
        this.pauseMillis = pauseMillis;
        this.thread = Thread.ofPlatform().daemon().name("status-watcher").unstarted(this::loop);
    }

    public StatusWatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running.get()) {
            try {
                long t0 = System.nanoTime();
                scanOnce();
                // At least as long as a scan took: the watcher may not take more than half of DynamoDB's time.
                Thread.sleep(Math.max(pauseMillis, (System.nanoTime() - t0) / 1_000_000));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failedScans.incrementAndGet();
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** One scan now (the watcher's loop calls it; a caller may add a last one after the run). */
    public void scanOnce() {
        for (Map<String, AttributeValue> item : aws.dynamoDb().scanPaginator(b -> b.tableName(aws.names().table())
                .consistentRead(true).projectionExpression("pk, sk, #s")
                .expressionAttributeNames(Map.of("#s", "status"))).items()) {
            AttributeValue sk = item.get(ResultItems.SK);
            if (sk == null || !ResultItems.RESULT_SK.equals(sk.s()) || !item.containsKey("status")) continue;
            String pk = item.get(ResultItems.PK).s();
            String status = item.get("status").s();
            String uploadId = pk.substring(ResultItems.pk("").length());
            List<String> list = seen.computeIfAbsent(uploadId, k -> new ArrayList<>());
            synchronized (list) {
                if (list.isEmpty() || !list.getLast().equals(status)) list.add(status);
            }
        }
        scans.incrementAndGet();
    }

    /** Each upload's observed status sequence. */
    public Map<String, List<String>> sequences() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        seen.forEach((k, v) -> {
            synchronized (v) {
                out.put(k, List.copyOf(v));
            }
        });
        return out;
    }

    public int scans() {
        return scans.get();
    }

    public int failedScans() {
        return failedScans.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.interrupt();
        thread.join(10_000);
    }
}
