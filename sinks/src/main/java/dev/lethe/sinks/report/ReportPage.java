package dev.lethe.sinks.report;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.core.Categories;
import dev.lethe.sinks.core.MetricKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders the self-contained HTML report (inline CSS and SVG, no scripts, no network): forgetting curves per family
 * and per model run, the final FG table and the alerts. Pure function of the latest records per key. FG of the
 * {@link Categories#TASK task} category is left out of the FG charts and columns (its baseline is chance level); its
 * scores still show in the score charts, and GEM ACC/BWT in the table.
 */
final class ReportPage {

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#222;max-width:1300px}
            h1{margin-bottom:.2rem} .meta{color:#666;margin-top:0}
            table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
            th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
            th{background:#f2f2f2} td.t,th.t{text-align:left}
            tr.family td{background:#fafafa;font-weight:600}
            .charts{display:flex;flex-wrap:wrap;gap:1rem} .charts figure{margin:0}
            .sev-CRITICAL{color:#b00020;font-weight:700} .sev-WARNING{color:#a65e00;font-weight:600}
            .empty{color:#666;font-style:italic} tr.state-RESOLVED td{color:#777} tr.state-RESOLVED td.t:first-child{color:#2e7d32}
            """;

    private ReportPage() {
    }

    private record FamilyKey(String campaign, String family) {
    }

    private record ModelKey(String campaign, String family, String model) {
    }

    /** The whole page, from metrics without ELEMENT records. */
    public static String render(Collection<ForgettingMetric> metrics, Collection<KnowledgeLossAlert> alerts, Instant generatedAt) {
        return render(metrics, 0, alerts, generatedAt);
    }

    /**
     * The whole page.
     *
     * @param metrics        the latest record per key, ELEMENT records left out (they are not drawn)
     * @param elementRecords how many ELEMENT keys there are, so the page counts the same final records as metrics.jsonl
     */
    public static String render(Collection<ForgettingMetric> metrics, int elementRecords, Collection<KnowledgeLossAlert> alerts,
                                Instant generatedAt) {
        List<ForgettingMetric> sorted = new ArrayList<>(metrics);
        sorted.sort((a, b) -> MetricKey.ORDER.compare(MetricKey.of(a), MetricKey.of(b)));
        boolean manyCampaigns = sorted.stream().map(ForgettingMetric::getCampaign).distinct().count() > 1;
        TreeSet<String> categories = new TreeSet<>();
        sorted.stream().filter(m -> m.getScope() == MetricScope.CATEGORY || m.getScope() == MetricScope.FAMILY)
                .map(ForgettingMetric::getCategory).filter(Categories::showsForgetting).forEach(categories::add);

        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Lethe forgetting report</title><style>").append(CSS).append("</style></head><body>\n");
        html.append("<h1>Lethe forgetting report</h1>\n<p class=\"meta\">Generated ").append(Html.escape(generatedAt))
                .append(" from ").append(metrics.size() + elementRecords).append(" final metric records (latest per key, as in metrics.jsonl");
        if (elementRecords > 0) {
            html.append("; the ").append(elementRecords).append(" element records are not drawn, the charts and tables use the other ")
                    .append(metrics.size());
        }
        html.append(") and ").append(AlertLifecycle.Counts.of(alerts).describe())
                .append(". FG = Luo et al.'s running forgetting (percent; positive = forgotten).</p>\n");

        curves(html, sorted, manyCampaigns);
        modelCurves(html, sorted, categories, manyCampaigns);
        biasCurves(html, sorted, manyCampaigns);
        finalTable(html, sorted, categories, manyCampaigns);
        alertTable(html, alerts);
        html.append("</body></html>\n");
        return html.toString();
    }

    private static String familyLabel(String campaign, String family, boolean manyCampaigns) {
        return manyCampaigns ? campaign + "/" + family : family;
    }

    private static void curves(StringBuilder html, List<ForgettingMetric> sorted, boolean manyCampaigns) {
        html.append("<h2>Forgetting curves</h2>\n");
        Map<FamilyKey, Map<String, SortedMap<Integer, Double>>> fg = new LinkedHashMap<>();
        // score: family -> category -> stage -> [sum, count] over the family's model runs
        Map<FamilyKey, Map<String, SortedMap<Integer, double[]>>> score = new LinkedHashMap<>();
        for (ForgettingMetric m : sorted) {
            FamilyKey key = new FamilyKey(m.getCampaign(), m.getFamily());
            if (m.getScope() == MetricScope.FAMILY && Categories.showsForgetting(m.getCategory())) {
                fg.computeIfAbsent(key, k -> new TreeMap<>()).computeIfAbsent(m.getCategory(), c -> new TreeMap<>())
                        .put(m.getStage(), m.getFgPct());
            } else if (m.getScope() == MetricScope.CATEGORY && m.getCategory() != null && m.getScore() != null) {
                double[] acc = score.computeIfAbsent(key, k -> new TreeMap<>())
                        .computeIfAbsent(m.getCategory(), c -> new TreeMap<>())
                        .computeIfAbsent(m.getStage(), s -> new double[2]);
                acc[0] += m.getScore();
                acc[1]++;
            }
        }
        TreeSet<FamilyKey> families = new TreeSet<>((a, b) -> a.family().equals(b.family())
                ? a.campaign().compareTo(b.campaign()) : a.family().compareTo(b.family()));
        families.addAll(fg.keySet());
        families.addAll(score.keySet());
        if (families.isEmpty()) {
            html.append("<p class=\"empty\">No metrics yet.</p>\n");
            return;
        }
        for (FamilyKey family : families) {
            String label = familyLabel(family.campaign(), family.family(), manyCampaigns);
            html.append("<h3>Family ").append(Html.escape(label)).append("</h3>\n<div class=\"charts\">\n");
            String fgSvg = fg.containsKey(family)
                    ? SvgCharts.lineChart("FG per category: " + label, "FG %", fg.get(family)) : null;
            Map<String, SortedMap<Integer, Double>> means = new TreeMap<>();
            score.getOrDefault(family, Map.of()).forEach((category, stages) -> {
                SortedMap<Integer, Double> line = new TreeMap<>();
                stages.forEach((stage, acc) -> line.put(stage, acc[0] / acc[1]));
                means.put(category, line);
            });
            String scoreSvg = means.isEmpty() ? null
                    : SvgCharts.lineChart("Score per category (mean over model runs): " + label, "accuracy %", means);
            figure(html, fgSvg, "FG per category: " + label + " (Luo FG, mean over the family's model runs, by stage; the task category is left out: its stage-0 score is chance level)");
            figure(html, scoreSvg, "Score per category: " + label + " (accuracy, mean over the family's model runs, by stage)");
            html.append("</div>\n");
        }
    }

    /**
     * One chart per category with every model run as a line: the runs of different families and sizes side by
     * side, which is how the scale, architecture and data-mixing questions are read.
     */
    private static void modelCurves(StringBuilder html, List<ForgettingMetric> sorted, TreeSet<String> categories,
                                    boolean manyCampaigns) {
        Map<String, Map<String, SortedMap<Integer, Double>>> byCategory = new TreeMap<>();
        for (ForgettingMetric m : sorted) {
            if (m.getScope() == MetricScope.CATEGORY && categories.contains(m.getCategory()) && m.getFgPct() != null) {
                String run = (manyCampaigns ? m.getCampaign() + "/" : "") + m.getFamily() + "/" + m.getModel();
                byCategory.computeIfAbsent(m.getCategory(), c -> new TreeMap<>())
                        .computeIfAbsent(run, r -> new TreeMap<>()).put(m.getStage(), m.getFgPct());
            }
        }
        if (byCategory.isEmpty()) {
            return;
        }
        html.append("<h2>Forgetting per model run</h2>\n<div class=\"charts\">\n");
        byCategory.forEach((category, runs) -> figure(html,
                SvgCharts.lineChart("FG of " + category + " per model run", "FG %", runs),
                "FG of " + category + " per model run (family/model), by stage"));
        html.append("</div>\n");
    }

    /**
     * Bias on its own scale: the aggregator measures a bias share (a CrowS-Pairs stereotype score, 50 % unbiased) by
     * its closeness to 50 %, score = 100 - 2 |share - 50|, so a bias CATEGORY record's distance from an unbiased model
     * is (100 - score) / 2 percentage points. One line per model run; lower is less biased.
     */
    private static void biasCurves(StringBuilder html, List<ForgettingMetric> sorted, boolean manyCampaigns) {
        Map<String, SortedMap<Integer, Double>> distance = new TreeMap<>();
        for (ForgettingMetric m : sorted) {
            if (m.getScope() == MetricScope.CATEGORY && Categories.BIAS.equals(m.getCategory()) && m.getScore() != null) {
                String run = manyCampaigns ? m.getCampaign() + "/" + m.getModel() : m.getModel();
                distance.computeIfAbsent(run, r -> new TreeMap<>()).put(m.getStage(), (100 - m.getScore()) / 2);
            }
        }
        if (distance.isEmpty()) {
            return;
        }
        html.append("<h2>Bias</h2>\n<div class=\"charts\">\n");
        figure(html, SvgCharts.lineChart("Bias: distance of the stereotype share from 50 %", "pp from unbiased", distance),
                "Bias on its own scale: how far each model run's stereotype share (CrowS-Pairs) is from an unbiased 50 %, "
                        + "in percentage points, by stage; lower is less biased, and a fall is an improvement, not forgetting");
        html.append("</div>\n");
    }

    private static void figure(StringBuilder html, String svg, String caption) {
        if (svg == null) {
            return;
        }
        html.append("<figure role=\"img\" aria-label=\"").append(Html.escape(caption)).append("\">").append(svg).append("<figcaption>").append(Html.escape(caption)).append("</figcaption></figure>\n");
    }

    private static void finalTable(StringBuilder html, List<ForgettingMetric> sorted, TreeSet<String> categories,
                                   boolean manyCampaigns) {
        html.append("<h2>Final forgetting (latest stage of each model run)</h2>\n");
        Map<ModelKey, TreeMap<Integer, List<ForgettingMetric>>> models = new LinkedHashMap<>();
        Map<FamilyKey, TreeMap<Integer, List<ForgettingMetric>>> families = new LinkedHashMap<>();
        for (ForgettingMetric m : sorted) {
            if (m.getScope() == MetricScope.CATEGORY || m.getScope() == MetricScope.MODEL) {
                models.computeIfAbsent(new ModelKey(m.getCampaign(), m.getFamily(), m.getModel()), k -> new TreeMap<>())
                        .computeIfAbsent(m.getStage(), s -> new ArrayList<>()).add(m);
            } else if (m.getScope() == MetricScope.FAMILY) {
                families.computeIfAbsent(new FamilyKey(m.getCampaign(), m.getFamily()), k -> new TreeMap<>())
                        .computeIfAbsent(m.getStage(), s -> new ArrayList<>()).add(m);
            }
        }
        if (models.isEmpty() && families.isEmpty()) {
            html.append("<p class=\"empty\">No metrics yet.</p>\n");
            return;
        }
        html.append("<table><thead><tr><th class=\"t\">family</th><th class=\"t\">model</th><th>stage</th>");
        categories.forEach(c -> html.append("<th>FG % ").append(Html.escape(c)).append("</th>"));
        html.append("<th>FG % model</th><th>ACC %</th><th>BWT pp</th><th>chance-norm. FG % model</th></tr></thead><tbody>\n");
        List<FamilyKey> familyOrder = new ArrayList<>(families.keySet());
        models.keySet().forEach(k -> {
            FamilyKey f = new FamilyKey(k.campaign(), k.family());
            if (!familyOrder.contains(f)) {
                familyOrder.add(f);
            }
        });
        familyOrder.sort((a, b) -> a.family().equals(b.family()) ? a.campaign().compareTo(b.campaign()) : a.family().compareTo(b.family()));
        for (FamilyKey family : familyOrder) {
            String label = familyLabel(family.campaign(), family.family(), manyCampaigns);
            for (Map.Entry<ModelKey, TreeMap<Integer, List<ForgettingMetric>>> e : models.entrySet()) {
                if (!e.getKey().campaign().equals(family.campaign()) || !e.getKey().family().equals(family.family())) {
                    continue;
                }
                Map.Entry<Integer, List<ForgettingMetric>> latest = e.getValue().lastEntry();
                html.append("<tr><td class=\"t\">").append(Html.escape(label)).append("</td><td class=\"t\">")
                        .append(Html.escape(e.getKey().model())).append("</td><td>").append(latest.getKey()).append("</td>");
                ForgettingMetric modelScope = latest.getValue().stream().filter(m -> m.getScope() == MetricScope.MODEL)
                        .findFirst().orElse(null);
                for (String c : categories) {
                    Double v = latest.getValue().stream()
                            .filter(m -> m.getScope() == MetricScope.CATEGORY && c.equals(m.getCategory()))
                            .map(ForgettingMetric::getFgPct).filter(Objects::nonNull).findFirst().orElse(null);
                    html.append("<td>").append(Html.num(v, 2)).append("</td>");
                }
                html.append("<td>").append(Html.num(modelScope == null ? null : modelScope.getFgPct(), 2)).append("</td>")
                        .append("<td>").append(Html.num(modelScope == null ? null : modelScope.getAccPct(), 2)).append("</td>")
                        .append("<td>").append(Html.num(modelScope == null ? null : modelScope.getBwtPp(), 2)).append("</td>")
                        // the share of the margin above chance lost (docs/METRICS.md, "Chance"); – where chance is unknown
                        .append("<td>").append(Html.num(modelScope == null ? null : modelScope.getChanceNormalisedFgPct(), 2))
                        .append("</td></tr>\n");
            }
            TreeMap<Integer, List<ForgettingMetric>> stages = families.get(family);
            if (stages != null) {
                Map.Entry<Integer, List<ForgettingMetric>> latest = stages.lastEntry();
                Integer runs = latest.getValue().stream().map(ForgettingMetric::getModels).filter(Objects::nonNull)
                        .max(Integer::compare).orElse(null);
                html.append("<tr class=\"family\"><td class=\"t\">").append(Html.escape(label)).append("</td><td class=\"t\">family mean (")
                        .append(Html.num(runs)).append(" runs)</td><td>").append(latest.getKey()).append("</td>");
                for (String c : categories) {
                    Double v = latest.getValue().stream().filter(m -> c.equals(m.getCategory()))
                            .map(ForgettingMetric::getFgPct).filter(Objects::nonNull).findFirst().orElse(null);
                    html.append("<td>").append(Html.num(v, 2)).append("</td>");
                }
                html.append("<td></td><td></td><td></td><td></td></tr>\n");
            }
        }
        html.append("</tbody></table>\n");
    }

    private static void alertTable(StringBuilder html, Collection<KnowledgeLossAlert> alerts) {
        html.append("<h2>Knowledge-loss alerts</h2>\n");
        if (alerts.isEmpty()) {
            html.append("<p class=\"empty\">No alerts.</p>\n");
            return;
        }
        List<KnowledgeLossAlert> sorted = new ArrayList<>(alerts);
        sorted.sort(MetricKey.ALERT_ORDER);
        html.append("<table><thead><tr><th class=\"t\">state</th><th class=\"t\">severity</th><th class=\"t\">rule</th><th class=\"t\">family</th>")
                .append("<th class=\"t\">model</th><th>stage</th><th>vs stage</th><th class=\"t\">category</th><th class=\"t\">benchmark</th>")
                .append("<th>previous %</th><th>score %</th><th>drop pp</th><th>p-value</th><th>FG %</th><th class=\"t\">resolution</th></tr></thead><tbody>\n");
        for (KnowledgeLossAlert a : sorted) {
            String state = AlertLifecycle.isResolved(a) ? "RESOLVED" : "FIRING";
            html.append("<tr class=\"state-").append(state).append("\"><td class=\"t\">").append(state)
                    .append("</td><td class=\"t sev-").append(Html.escape(a.getSeverity())).append("\">").append(Html.escape(a.getSeverity()))
                    .append("</td><td class=\"t\">").append(Html.escape(a.getRule()))
                    .append("</td><td class=\"t\">").append(Html.escape(a.getFamily()))
                    .append("</td><td class=\"t\">").append(Html.escape(a.getModel()))
                    .append("</td><td>").append(a.getStage())
                    .append("</td><td>").append(Html.num(a.getPreviousStage()))
                    .append("</td><td class=\"t\">").append(Html.escape(a.getCategory()))
                    .append("</td><td class=\"t\">").append(Html.escape(a.getBenchmark()))
                    .append("</td><td>").append(Html.num(a.getPreviousScore(), 2))
                    .append("</td><td>").append(Html.num(a.getScore(), 2))
                    .append("</td><td>").append(Html.num(a.getDropPp(), 2))
                    .append("</td><td>").append(a.getPValue() == null ? "–" : Html.escape(String.format(java.util.Locale.ROOT, "%.3g", a.getPValue())))
                    .append("</td><td>").append(Html.num(a.getFgPct(), 2))
                    .append("</td><td class=\"t\">").append(resolution(a)).append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");
    }

    private static String resolution(KnowledgeLossAlert a) {
        if (!AlertLifecycle.isResolved(a)) {
            return "";
        }
        String when = a.getResolvedAt() == null ? "" : Html.escape(a.getResolvedAt()) + ": ";
        return when + Html.escape(a.getResolution());
    }
}
