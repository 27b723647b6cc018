package dev.lethe.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one {@code lethe bench} run in the shape of the performance table (BENCHMARKS.md): every field at
 * the top level under its table name (null when its benchmark failed or was skipped), then {@code machine},
 * {@code goals} (each goal and whether it was met), {@code settings} and {@code details} (the raw measurements
 * behind each figure).
 */
final class BenchReport {

    /** The table's fields, in its order (machine is separate). */
    static final List<String> FIELDS = List.of("raw_consumer_records_per_s", "aggregator_records_per_s",
            "aggregator_vs_raw_ratio", "aggregator_vs_streams_ceiling", "aggregator_cost_growth_200_vs_20_stages",
            "aggregator_output_amplification", "e2e_latency_ms_p50", "e2e_latency_ms_p99", "raw_dl4j_items_per_s",
            "evaluator_items_per_s", "evaluator_vs_raw_ratio", "evaluator_overhead_ms_per_shard",
            "evaluator_scaling_4_workers", "aggregator_state_bytes_per_model_run", "llm_scorer_vs_raw_client");

    /** A goal on 2 cores: the field must be at least (or at most) the bound. */
    record Goal(String field, boolean atLeast, double bound) {
        boolean met(Double value) {
            return value != null && (atLeast ? value >= bound : value <= bound);
        }

        String text() {
            return (atLeast ? ">= " : "<= ") + (bound == Math.rint(bound) ? String.valueOf((long) bound) : String.valueOf(bound));
        }
    }

    static final List<Goal> GOALS = List.of(new Goal("aggregator_vs_streams_ceiling", true, 0.5),
            new Goal("aggregator_cost_growth_200_vs_20_stages", false, 1.5),
            new Goal("aggregator_output_amplification", false, 1.2),
            new Goal("e2e_latency_ms_p99", false, 1000), new Goal("evaluator_overhead_ms_per_shard", false, 30),
            new Goal("evaluator_scaling_4_workers", true, 3.2), new Goal("llm_scorer_vs_raw_client", true, 0.9));

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Double> figures = new LinkedHashMap<>();
    private final Map<String, Object> machine;
    private final Map<String, Object> settings;
    private final Map<String, Object> details = new LinkedHashMap<>();

    BenchReport(Map<String, Object> machine, Map<String, Object> settings) {
        this.machine = new LinkedHashMap<>(machine);
        this.settings = new LinkedHashMap<>(settings);
        FIELDS.forEach(f -> figures.put(f, null));
    }

    void set(String field, Double value) {
        if (!figures.containsKey(field)) {
            throw new IllegalArgumentException("not a performance table field: " + field);
        }
        figures.put(field, value == null || value.isNaN() || value.isInfinite() ? null : value);
    }

    Double get(String field) {
        return figures.get(field);
    }

    void detail(String benchmark, Object value) {
        details.put(benchmark, value);
    }

    void machine(String key, Object value) {
        machine.put(key, value);
    }

    /** The JSON document: table fields first (rounded to 3 decimals), then machine, goals, settings, details. */
    ObjectNode toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        for (String field : FIELDS) {
            Double v = figures.get(field);
            if (v == null) {
                root.putNull(field);
            } else {
                root.put(field, round(v));
            }
        }
        root.set("machine", MAPPER.valueToTree(machine));
        ObjectNode goals = root.putObject("goals");
        for (Goal g : GOALS) {
            ObjectNode goal = goals.putObject(g.field());
            goal.put("goal", g.text());
            goal.put("met", g.met(figures.get(g.field())));
        }
        root.set("settings", MAPPER.valueToTree(settings));
        JsonNode d = MAPPER.valueToTree(details);
        root.set("details", d);
        return root;
    }

    String toJsonText() {
        try {
            return MAPPER.writeValueAsString(toJson()) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The human summary: one line per field with its goal. */
    List<String> table() {
        Map<String, Goal> byField = new LinkedHashMap<>();
        GOALS.forEach(g -> byField.put(g.field(), g));
        return FIELDS.stream().map(f -> {
            Double v = figures.get(f);
            Goal g = byField.get(f);
            String value = v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
            String goal = g == null ? "" : "  goal " + g.text() + (g.met(v) ? "  met" : "  MISSED");
            return String.format(Locale.ROOT, "%-38s %16s%s", f, value, goal);
        }).toList();
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
