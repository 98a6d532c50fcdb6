package org.hipoa.phantom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hipoa.domain.Feature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The best accuracy any model can reach against a phantom v2 set's reader labels, read from its {@code labels.jsonl}:
 * per feature the mean over gradable hips of max(readerP), since no image shows more than the severity and the
 * reader's grade given the severity is a draw from readerP. Also the expected weighted κ between the set's reader
 * and the other reader, and between two reads of the same reader, from the exact joint grade distribution.
 */
public record Ceiling(int films, int hips, int gradableHips, Map<Feature, Double> ceiling,
                      Map<Feature, double[]> kappaBetweenReaders, Map<Feature, double[]> kappaWithinReader) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Ceiling of(List<String> labelLines) {
        int films = 0, hips = 0, gradable = 0;
        Map<Feature, Double> sum = new EnumMap<>(Feature.class);
        Map<Feature, double[][]> between = new EnumMap<>(Feature.class), within = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            sum.put(f, 0.0);
            between.put(f, new double[f.classes()][f.classes()]);
            within.put(f, new double[f.classes()][f.classes()]);
        }
        for (String line : labelLines) {
            if (line.isBlank()) continue;
            JsonNode film = read(line);
            if (!"v2".equals(film.path("phantom").asText())) {
                throw new IllegalArgumentException(film.path("file").asText("a film")
                        + " is a phantom v1 label: its grades are exact, so there is no reader and no ceiling below 1");
            }
            films++;
            Reader own = "B".equals(film.path("reader").asText()) ? Reader.B : Reader.A;
            Reader other = own == Reader.A ? Reader.B : Reader.A;
            for (JsonNode hip : film.get("hips")) {
                hips++;
                if (!hip.path("gradable").asBoolean()) continue;
                gradable++;
                for (Feature f : Feature.values()) {
                    double best = 0;
                    for (JsonNode p : hip.get("readerP").get(f.key())) best = Math.max(best, p.asDouble());
                    sum.merge(f, best, Double::sum);
                    double s = hip.get("severity").get(f.key()).asDouble();
                    add(between.get(f), own.probabilities(f, s), other.probabilities(f, s));
                    double[] p = own.probabilities(f, s);
                    add(within.get(f), p, p);
                }
            }
        }
        if (gradable == 0) throw new IllegalArgumentException("no gradable hip in the labels");
        Map<Feature, Double> ceiling = new EnumMap<>(Feature.class);
        Map<Feature, double[]> kb = new EnumMap<>(Feature.class), kw = new EnumMap<>(Feature.class);
        for (Feature f : Feature.values()) {
            ceiling.put(f, sum.get(f) / gradable);
            kb.put(f, new double[] {Kappa.weighted(between.get(f), false), Kappa.weighted(between.get(f), true)});
            kw.put(f, new double[] {Kappa.weighted(within.get(f), false), Kappa.weighted(within.get(f), true)});
        }
        return new Ceiling(films, hips, gradable, ceiling, kb, kw);
    }

    private static void add(double[][] joint, double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) for (int j = 0; j < b.length; j++) joint[i][j] += a[i] * b[j];
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
