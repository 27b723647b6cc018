package dev.lethe.sinks.console;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.core.Categories;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The console's model: Luo's FG per family × category at each family's latest stage (FAMILY-scope records of
 * {@code lethe.forgetting}), with the chance-normalised FG beside it where the records carry one (the share of the
 * margin above chance lost, docs/METRICS.md), bias on its own scale (from the bias CATEGORY records: how far the
 * stereotype share is from an unbiased 50 %, and its change since stage 0), plus per family the distinct alerts raised
 * and how many of them still fire (the latest record per alertId of {@code lethe.alerts} is its state), rendered as
 * fixed-width text.
 */
public final class FgTable {

    /**
     * One row: a family (and its campaign) at its latest stage.
     *
     * @param cnFgByCategory the chance-normalised FG per category, where the family record carries one
     * @param bias           bias on its own scale, null without bias records
     * @param alerts         distinct alertIds raised for the family
     * @param firing         of those, the ones whose latest record is FIRING
     */
    public record Row(String campaign, String family, int stage, Integer models, Map<String, Double> fgByCategory,
                      Map<String, Double> cnFgByCategory, Bias bias, int alerts, int firing) {
    }

    /**
     * A family's bias on its own scale, mean over its model runs at each run's latest stage. The aggregator scores a
     * bias share (CrowS-Pairs' stereotype share, 50 % unbiased) by its closeness, 100 - 2 |share - 50|, so a bias
     * CATEGORY record is (100 - score) / 2 percentage points from unbiased, and was (100 - baselineScore) / 2 at stage 0.
     *
     * @param offFiftyPp how far the stereotype share is from 50 %, percentage points (0 = unbiased)
     * @param changePp   the change of that distance since stage 0 (negative = less biased, an improvement)
     */
    public record Bias(double offFiftyPp, Double changePp) {
    }

    private record FamilyKey(String campaign, String family) implements Comparable<FamilyKey> {
        @Override
        public int compareTo(FamilyKey o) {
            int c = family.compareTo(o.family);
            return c != 0 ? c : campaign.compareTo(o.campaign);
        }
    }

    // family -> stage -> category -> record
    private final Map<FamilyKey, TreeMap<Integer, Map<String, ForgettingMetric>>> cells = new TreeMap<>();
    // family -> alertId -> whether its latest record is FIRING
    private final Map<FamilyKey, Map<String, Boolean>> alertIds = new HashMap<>();
    // family -> model run -> its latest bias CATEGORY record
    private final Map<FamilyKey, Map<String, ForgettingMetric>> bias = new HashMap<>();
    private final Set<String> categories = new TreeSet<>();

    /** Takes FAMILY-scope records and bias CATEGORY records; returns true if the table changed. */
    public boolean accept(ForgettingMetric m) {
        if (m.getScope() == MetricScope.CATEGORY && Categories.BIAS.equals(m.getCategory()) && m.getScore() != null) {
            return acceptBias(m);
        }
        if (m.getScope() != MetricScope.FAMILY || !Categories.showsForgetting(m.getCategory())) {
            return false;
        }
        categories.add(m.getCategory());
        FamilyKey key = new FamilyKey(m.getCampaign(), m.getFamily());
        ForgettingMetric old = cells.computeIfAbsent(key, k -> new TreeMap<>())
                .computeIfAbsent(m.getStage(), s -> new TreeMap<>())
                .put(m.getCategory(), m);
        return old == null || !java.util.Objects.equals(old.getFgPct(), m.getFgPct())
                || !java.util.Objects.equals(old.getChanceNormalisedFgPct(), m.getChanceNormalisedFgPct())
                || !java.util.Objects.equals(old.getModels(), m.getModels());
    }

    private boolean acceptBias(ForgettingMetric m) {
        Map<String, ForgettingMetric> runs = bias.computeIfAbsent(new FamilyKey(m.getCampaign(), m.getFamily()), k -> new TreeMap<>());
        ForgettingMetric old = runs.get(m.getModel());
        if (old != null && old.getStage() > m.getStage()) {
            return false;
        }
        runs.put(m.getModel(), m);
        return old == null || old.getStage() != m.getStage() || !java.util.Objects.equals(old.getScore(), m.getScore())
                || !java.util.Objects.equals(old.getBaselineScore(), m.getBaselineScore());
    }

    private Bias bias(FamilyKey key) {
        Map<String, ForgettingMetric> runs = bias.get(key);
        if (runs == null || runs.isEmpty()) {
            return null;
        }
        double off = 0;
        double change = 0;
        int withBaseline = 0;
        for (ForgettingMetric m : runs.values()) {
            off += (100 - m.getScore()) / 2;
            if (m.getBaselineScore() != null) {
                change += (m.getBaselineScore() - m.getScore()) / 2;
                withBaseline++;
            }
        }
        return new Bias(off / runs.size(), withBaseline == 0 ? null : change / withBaseline);
    }

    /** Takes the alert's latest record; returns true if the table changed (a new alert, or one that changed state). */
    public boolean accept(KnowledgeLossAlert a) {
        Boolean firing = !AlertLifecycle.isResolved(a);
        return !firing.equals(alertIds.computeIfAbsent(new FamilyKey(a.getCampaign(), a.getFamily()), k -> new HashMap<>())
                .put(a.getAlertId(), firing));
    }

    public List<String> categories() {
        return List.copyOf(categories);
    }

    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        Set<FamilyKey> keys = new TreeSet<>(cells.keySet());
        keys.addAll(alertIds.keySet());
        keys.addAll(bias.keySet());
        for (FamilyKey key : keys) {
            TreeMap<Integer, Map<String, ForgettingMetric>> stages = cells.get(key);
            Map<String, Boolean> states = alertIds.getOrDefault(key, Map.of());
            int alerts = states.size();
            int firing = (int) states.values().stream().filter(Boolean::booleanValue).count();
            if (stages == null || stages.isEmpty()) {
                rows.add(new Row(key.campaign(), key.family(), -1, null, Map.of(), Map.of(), bias(key), alerts, firing));
                continue;
            }
            Map.Entry<Integer, Map<String, ForgettingMetric>> latest = stages.lastEntry();
            Map<String, Double> fg = new TreeMap<>();
            Map<String, Double> cnFg = new TreeMap<>();
            Integer models = null;
            for (ForgettingMetric m : latest.getValue().values()) {
                fg.put(m.getCategory(), m.getFgPct());
                if (m.getChanceNormalisedFgPct() != null) {
                    cnFg.put(m.getCategory(), m.getChanceNormalisedFgPct());
                }
                models = models == null ? m.getModels() : models;
            }
            rows.add(new Row(key.campaign(), key.family(), latest.getKey(), models, fg, cnFg, bias(key), alerts, firing));
        }
        return rows;
    }

    /** The table as text lines: a header, a rule, one line per family. */
    public List<String> render() {
        List<String> cats = categories();
        List<Row> rows = rows();
        boolean manyCampaigns = rows.stream().map(Row::campaign).distinct().count() > 1;
        Set<String> withCn = new TreeSet<>();
        rows.forEach(r -> withCn.addAll(r.cnFgByCategory().keySet()));
        boolean withBias = rows.stream().anyMatch(r -> r.bias() != null);
        List<List<String>> cellsText = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("family", "stage", "models"));
        for (String c : cats) {
            header.add("FG% " + c);
            if (withCn.contains(c)) {
                header.add("cnFG% " + c);
            }
        }
        if (withBias) {
            header.add("bias pp off 50% (since s0)");
        }
        header.add("alerts");
        header.add("firing");
        cellsText.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>();
            line.add(manyCampaigns ? row.campaign() + "/" + row.family() : row.family());
            line.add(row.stage() < 0 ? "-" : Integer.toString(row.stage()));
            line.add(row.models() == null ? "-" : row.models().toString());
            for (String c : cats) {
                line.add(format(row.fgByCategory().get(c)));
                if (withCn.contains(c)) {
                    line.add(format(row.cnFgByCategory().get(c)));
                }
            }
            if (withBias) {
                line.add(row.bias() == null ? "-" : format(row.bias().offFiftyPp()) + " (" + signed(row.bias().changePp()) + ")");
            }
            line.add(Integer.toString(row.alerts()));
            line.add(Integer.toString(row.firing()));
            cellsText.add(line);
        }
        int[] widths = new int[header.size()];
        for (List<String> line : cellsText) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        List<String> out = new ArrayList<>();
        for (int r = 0; r < cellsText.size(); r++) {
            StringBuilder sb = new StringBuilder();
            List<String> line = cellsText.get(r);
            for (int i = 0; i < line.size(); i++) {
                String cell = line.get(i);
                // text left, numbers right, like every terminal table
                sb.append(i == 0 ? pad(cell, widths[i], false) : pad(cell, widths[i], true));
                sb.append(i + 1 < line.size() ? "  " : "");
            }
            out.add(sb.toString().stripTrailing());
            if (r == 0) {
                out.add("-".repeat(sb.length()));
            }
        }
        return out;
    }

    /** One plain line per row, for logs and pipes. */
    public static String plainLine(Row row) {
        StringBuilder sb = new StringBuilder("family ").append(row.family());
        sb.append(" stage ").append(row.stage() < 0 ? "-" : row.stage());
        if (row.models() != null) {
            sb.append(" models ").append(row.models());
        }
        row.fgByCategory().forEach((c, v) -> {
            sb.append(" FG[").append(c).append("]=").append(format(v));
            if (row.cnFgByCategory().containsKey(c)) {
                sb.append(" cnFG[").append(c).append("]=").append(format(row.cnFgByCategory().get(c)));
            }
        });
        if (row.bias() != null) {
            sb.append(" bias ").append(format(row.bias().offFiftyPp())).append("pp off 50%");
            if (row.bias().changePp() != null) {
                sb.append(" (").append(signed(row.bias().changePp())).append(" since stage 0)");
            }
        }
        sb.append(" alerts ").append(row.alerts()).append(" firing ").append(row.firing());
        return sb.toString();
    }

    static String format(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String signed(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%+.2f", v);
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
