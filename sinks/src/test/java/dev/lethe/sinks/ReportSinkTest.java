package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.category;
import static dev.lethe.sinks.TestRecords.family;
import static dev.lethe.sinks.TestRecords.model;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.sinks.report.ReportSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportSinkTest {

    @TempDir
    Path dir;

    private ReportSink campaign() {
        ReportSink sink = new ReportSink(dir, Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC), Duration.ZERO);
        for (int stage = 0; stage <= 3; stage++) {
            double fg = stage * 4.25;
            sink.onMetric(category("mlp", "mlp-a", stage, "domain-knowledge", stage == 0 ? null : fg, 95.0 - fg));
            sink.onMetric(category("mlp", "mlp-a", stage, "robustness", stage == 0 ? null : fg / 2, 80.0 - fg / 2));
            sink.onMetric(category("mlp", "mlp-b", stage, "domain-knowledge", stage == 0 ? null : fg + 2, 93.0 - fg));
            // the fine-tuning tasks: chance at stage 0, learnt later, so their FG is hugely negative
            sink.onMetric(category("mlp", "mlp-a", stage, "task", stage == 0 ? null : -300.0 * stage, 10.0 + 20 * stage));
            sink.onMetric(model("mlp", "mlp-a", stage, stage == 0 ? null : fg / 3, 88.0, -1.25 * stage));
            if (stage > 0) {
                sink.onMetric(family("mlp", stage, "domain-knowledge", fg + 1, 2));
                sink.onMetric(family("mlp", stage, "task", -300.0 * stage, 1));
                sink.onMetric(family("mlp", stage, "robustness", fg / 2, 1));
            }
        }
        return sink;
    }

    @Test
    void shouldWriteASelfContainedPageWithSvgChartsAndTheFinalTableWhenFlushed() throws Exception {
        ReportSink sink = campaign();
        sink.onAlert(alert("a-1", "mlp", "mlp-a", 3, AlertSeverity.CRITICAL));
        sink.onMetric(ForgettingMetric.newBuilder(model("mlp", "mlp-a", 3, 4.25, 88.0, -3.75)).setChanceNormalisedFgPct(41.5).build());
        sink.flush();

        String html = Files.readString(dir.resolve("report.html"));
        // FG and score curves of the family mlp, then FG per model run for domain-knowledge and robustness
        assertThat(Pattern.compile("<svg[ >]").matcher(html).results().count()).isEqualTo(4);
        assertThat(html).contains("<figcaption>FG per category: mlp").contains("<figcaption>Score per category: mlp").contains("<path").doesNotContainIgnoringCase("<script")
                .doesNotContain("src=").doesNotContain("<link").doesNotContain("@import");
        assertThat(html).contains("<figcaption>FG of domain-knowledge per model run").contains("<figcaption>FG of robustness per model run")
                .doesNotContain("FG of task").doesNotContain("FG % task");
        // final table: mlp-a at stage 3 -> FG domain-knowledge 12.75, robustness 6.38 (6.375), model FG 4.25, BWT -3.75
        assertThat(html).contains("<td class=\"t\">mlp-a</td><td>3</td><td>12.75</td><td>6.38</td><td>4.25</td><td>88.00</td><td>-3.75</td><td>41.50</td></tr>");
        assertThat(html).contains("<td class=\"t\">mlp-b</td><td>3</td><td>14.75</td><td>–</td>");
        assertThat(html).contains("family mean (2 runs)</td><td>3</td><td>13.75</td><td>6.38</td>");
        assertThat(html).doesNotContain("-900.00");
        assertThat(html).contains("sev-CRITICAL\">CRITICAL</td>").contains("22.00");
    }

    @Test
    void shouldEscapeRecordTextWhenNamesContainMarkup() throws Exception {
        ReportSink sink = new ReportSink(dir, Clock.systemUTC(), Duration.ZERO);
        String evil = "<script>alert('x')</script>&";
        sink.onMetric(category("fam<b>", "m\"1", 1, evil, 3.0, 70.0));
        sink.onMetric(family("fam<b>", 1, evil, 3.0, 1));
        sink.onAlert(alert("id<i>", "fam<b>", "m\"1", 1, AlertSeverity.WARNING));
        sink.flush();

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).doesNotContain("<script").doesNotContain("<b>").doesNotContain("m\"1");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;").contains("fam&lt;b&gt;");
        assertThat(html).contains("<svg");
    }

    @Test
    void shouldCountTheSameFinalRecordsAsMetricsJsonlWhenElementRecordsAreNotDrawn() throws Exception {
        ReportSink sink = new ReportSink(dir, Clock.systemUTC(), Duration.ZERO);
        sink.onMetric(TestRecords.element("mlp", "mlp-a", 1, "task", "perm-1", 6.0));
        sink.onMetric(TestRecords.element("mlp", "mlp-a", 1, "task", "perm-1", 7.0)); // re-emitted: the same key
        sink.onMetric(TestRecords.element("mlp", "mlp-a", 1, "task", "perm-2", 6.0));
        sink.onMetric(category("mlp", "mlp-a", 1, "task", 5.0, 85.0));
        sink.flush();

        assertThat(Files.readString(dir.resolve("report.html"))).contains("from 3 final metric records (latest per key, as in "
                + "metrics.jsonl; the 2 element records are not drawn, the charts and tables use the other 1) and 0 alerts (0 firing, 0 resolved).");
    }

    @Test
    void shouldSayNoMetricsYetWhenNothingArrived() throws Exception {
        ReportSink sink = new ReportSink(dir, Clock.systemUTC(), Duration.ZERO);
        sink.flush();
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("No metrics yet.").contains("No alerts.").doesNotContain("<svg");
    }

    @Test
    void shouldRenderInTheBackgroundAndWriteTheNewestSnapshotWhenClosed() throws Exception {
        ReportSink sink = new ReportSink(dir, Clock.systemUTC(), Duration.ofHours(1));
        sink.onMetric(category("mlp", "mlp-a", 1, "domain-knowledge", 5.0, 85.0));
        sink.flush(); // first rendering starts at once, in the background
        sink.onMetric(category("mlp", "mlp-a", 2, "domain-knowledge", 7.25, 80.0));
        sink.flush(); // the next would wait an hour
        sink.close(); // ... but closing writes the newest snapshot now

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("<td class=\"t\">mlp-a</td><td>2</td><td>7.25</td>");
    }

    @Test
    void shouldDrawBiasAsTheDistanceFromAnUnbiasedShareWhenABiasCategoryIsScored() throws Exception {
        ReportSink sink = campaign();
        sink.flush();
        assertThat(Files.readString(dir.resolve("report.html"))).as("no bias records, no bias chart").doesNotContain("<h2>Bias</h2>");

        // closeness to 50 % of 70, 80, 90: a stereotype share 15, 10, 5 pp from 50 % (65 % -> 60 % -> 55 %)
        for (int stage = 0; stage <= 2; stage++) {
            sink.onMetric(category("llm", "llm-a", stage, "bias", stage == 0 ? null : -14.0 * stage, 70.0 + 10 * stage));
        }
        sink.flush();

        String html = Files.readString(dir.resolve("report.html"));
        String bias = html.substring(html.indexOf("<h2>Bias</h2>"), html.indexOf("</div>", html.indexOf("<h2>Bias</h2>")));
        assertThat(Pattern.compile("<svg[ >]").matcher(bias).results().count()).isEqualTo(1);
        assertThat(bias).contains("<figcaption>Bias on its own scale").contains("<path");
    }
}
