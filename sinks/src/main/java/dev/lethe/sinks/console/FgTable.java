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
 * {@code lethe.forgetting}), plus per family the distinct alerts raised and how many of them still fire (the latest
 * record per alertId of {@code lethe.alerts} is its state), rendered as fixed-width text.
 */
public final class FgTable {

    /**
     * One row: a family (and its campaign) at its latest stage.
     *
     * @param alerts distinct alertIds raised for the family
     * @param firing of those, the ones whose latest record is FIRING
     */
    public record Row(String campaign, String family, int stage, Integer models, Map<String, Double> fgByCategory, int alerts,
                      int firing) {
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
    private final Set<String> categories = new TreeSet<>();

    /** Takes FAMILY-scope records; returns true if the table changed. */
    public boolean accept(ForgettingMetric m) {
        if (m.getScope() != MetricScope.FAMILY || !Categories.showsForgetting(m.getCategory())) {
            return false;
        }
        categories.add(m.getCategory());
        FamilyKey key = new FamilyKey(m.getCampaign(), m.getFamily());
        ForgettingMetric old = cells.computeIfAbsent(key, k -> new TreeMap<>())
                .computeIfAbsent(m.getStage(), s -> new TreeMap<>())
                .put(m.getCategory(), m);
        return old == null || !java.util.Objects.equals(old.getFgPct(), m.getFgPct())
                || !java.util.Objects.equals(old.getModels(), m.getModels());
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
        for (FamilyKey key : keys) {
            TreeMap<Integer, Map<String, ForgettingMetric>> stages = cells.get(key);
            Map<String, Boolean> states = alertIds.getOrDefault(key, Map.of());
            int alerts = states.size();
            int firing = (int) states.values().stream().filter(Boolean::booleanValue).count();
            if (stages == null || stages.isEmpty()) {
                rows.add(new Row(key.campaign(), key.family(), -1, null, Map.of(), alerts, firing));
                continue;
            }
            Map.Entry<Integer, Map<String, ForgettingMetric>> latest = stages.lastEntry();
            Map<String, Double> fg = new TreeMap<>();
            Integer models = null;
            for (ForgettingMetric m : latest.getValue().values()) {
                fg.put(m.getCategory(), m.getFgPct());
                models = models == null ? m.getModels() : models;
            }
            rows.add(new Row(key.campaign(), key.family(), latest.getKey(), models, fg, alerts, firing));
        }
        return rows;
    }

    /** The table as text lines: a header, a rule, one line per family. */
    public List<String> render() {
        List<String> cats = categories();
        List<Row> rows = rows();
        boolean manyCampaigns = rows.stream().map(Row::campaign).distinct().count() > 1;
        List<List<String>> cellsText = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("family", "stage", "models"));
        cats.forEach(c -> header.add("FG% " + c));
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
        row.fgByCategory().forEach((c, v) -> sb.append(" FG[").append(c).append("]=").append(format(v)));
        sb.append(" alerts ").append(row.alerts()).append(" firing ").append(row.firing());
        return sb.toString();
    }

    static String format(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return right ? fill + s : s + fill;
    }
}
