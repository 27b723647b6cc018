package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.category;
import static dev.lethe.sinks.TestRecords.family;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.sinks.console.ConsoleSink;
import dev.lethe.sinks.console.FgTable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSinkTest {

    @Test
    void shouldAppendOnePlainLinePerChangedFamilyAtItsLatestStageWhenNotATerminal() {
        StringWriter text = new StringWriter();
        ConsoleSink sink = new ConsoleSink(new PrintWriter(text), false);
        sink.onMetric(family("mlp", 1, "domain-knowledge", 10.0, 2));
        sink.onMetric(family("mlp", 1, "robustness", 2.5, 2));
        sink.onMetric(family("cnn", 1, "domain-knowledge", 4.0, 1));
        sink.onMetric(category("mlp", "mlp-a", 1, "domain-knowledge", 99.0, 50.0)); // not a family record: ignored
        sink.flush();
        sink.onMetric(family("mlp", 2, "domain-knowledge", 20.0, 2));
        sink.onAlert(alert("x", "mlp", "mlp-a", 2, AlertSeverity.CRITICAL));
        sink.flush();
        sink.flush(); // nothing changed: nothing printed

        assertThat(text.toString().lines().toList()).containsExactly(
                "family cnn stage 1 models 1 FG[domain-knowledge]=4.00 alerts 0 firing 0",
                "family mlp stage 1 models 2 FG[domain-knowledge]=10.00 FG[robustness]=2.50 alerts 0 firing 0",
                "family mlp stage 2 models 2 FG[domain-knowledge]=20.00 alerts 1 firing 1");
        assertThat(text.toString()).doesNotContain("\u001b[");
    }

    @Test
    void shouldRedrawTheTableInPlaceWhenOutputIsATerminal() {
        StringWriter text = new StringWriter();
        ConsoleSink sink = new ConsoleSink(new PrintWriter(text), true);
        sink.onMetric(family("mlp", 1, "domain-knowledge", 10.0, 2));
        sink.flush();
        String first = text.toString();
        sink.onMetric(family("mlp", 2, "domain-knowledge", 12.5, 2));
        sink.flush();

        assertThat(first).doesNotContain("\u001b[").contains("FG% domain-knowledge").contains("10.00");
        String redraw = text.toString().substring(first.length());
        assertThat(redraw).startsWith("\u001b[3F\u001b[J").contains("12.50").doesNotContain("10.00");
        assertThat(sink.table().render()).hasSize(3);
    }

    @Test
    void shouldShowTheStatusLineUnderTheTableWhenItChanges() {
        StringWriter text = new StringWriter();
        String[] status = {"stages 1/3"};
        ConsoleSink sink = new ConsoleSink(new PrintWriter(text), false).withStatus(() -> status[0]);
        sink.refresh();
        sink.refresh(); // unchanged: printed once
        status[0] = "stages 2/3";
        sink.onMetric(family("mlp", 1, "domain-knowledge", 10.0, 2));
        sink.flush();

        assertThat(text.toString().lines().toList()).containsExactly(
                "stages 1/3", "family mlp stage 1 models 2 FG[domain-knowledge]=10.00 alerts 0 firing 0", "stages 2/3");

        StringWriter ansi = new StringWriter();
        ConsoleSink live = new ConsoleSink(new PrintWriter(ansi), true).withStatus(() -> status[0]);
        live.onMetric(family("mlp", 1, "domain-knowledge", 10.0, 2));
        live.flush();
        status[0] = "stages 3/3";
        live.refresh();
        assertThat(ansi.toString()).contains("stages 2/3\n\u001b[4F\u001b[J").endsWith("stages 3/3\n");
    }

    @Test
    void shouldLeaveOutTheTaskCategoryWhenFamilyRecordsCarryIt() {
        StringWriter text = new StringWriter();
        ConsoleSink sink = new ConsoleSink(new PrintWriter(text), false);
        sink.onMetric(family("mlp", 1, "domain-knowledge", 10.0, 2));
        sink.onMetric(family("mlp", 1, "task", -480.0, 2)); // chance-level baseline: learning, not forgetting
        sink.flush();

        assertThat(text.toString().lines().toList()).containsExactly("family mlp stage 1 models 2 FG[domain-knowledge]=10.00 alerts 0 firing 0");
        assertThat(sink.table().categories()).containsExactly("domain-knowledge");
    }

    @Test
    void shouldShowBiasAsItsDistanceFromFiftyAndTheChanceNormalisedFgWhenTheRecordsCarryThem() {
        StringWriter text = new StringWriter();
        ConsoleSink sink = new ConsoleSink(new PrintWriter(text), false);
        sink.onMetric(ForgettingMetric.newBuilder(family("llm", 2, "domain-knowledge", 10.0, 1)).setChanceNormalisedFgPct(14.0).build());
        sink.onMetric(family("llm", 2, "bias", -70.0, 1)); // FG of the closeness to 50 %: negative, less biased
        // stereotype share 80 % at stage 0 (closeness 40), 52 % at stage 2 (closeness 96)
        sink.onMetric(ForgettingMetric.newBuilder(category("llm", "llm-a", 2, "bias", -70.0, 96.0)).setBaselineScore(40.0).build());
        sink.onMetric(ForgettingMetric.newBuilder(category("llm", "llm-a", 1, "bias", -50.0, 80.0)).setBaselineScore(40.0).build()); // older
        sink.flush();

        assertThat(text.toString().lines().toList()).containsExactly("family llm stage 2 models 1 FG[bias]=-70.00 FG[domain-knowledge]=10.00 "
                + "cnFG[domain-knowledge]=14.00 bias 2.00pp off 50% (-28.00 since stage 0) alerts 0 firing 0");
        List<String> table = sink.table().render();
        assertThat(table.get(0)).containsSubsequence("FG% bias", "FG% domain-knowledge", "cnFG% domain-knowledge", "bias pp off 50% (since s0)")
                .doesNotContain("cnFG% bias");
        assertThat(table.get(2)).containsSubsequence("-70.00", "10.00", "14.00", "2.00 (-28.00)");

        // a second run whose stereotype share rose from 52 % to 80 %: the family's mean distance and change
        sink.onMetric(ForgettingMetric.newBuilder(category("llm", "llm-b", 1, "bias", 50.0, 40.0)).setBaselineScore(96.0).build());
        assertThat(sink.table().rows().get(0).bias()).isEqualTo(new FgTable.Bias(16.0, 0.0));
    }
}
