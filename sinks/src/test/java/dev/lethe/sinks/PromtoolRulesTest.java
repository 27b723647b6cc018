package dev.lethe.sinks;

import static dev.lethe.sinks.TestRecords.alert;
import static dev.lethe.sinks.TestRecords.category;
import static dev.lethe.sinks.TestRecords.family;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkContext;
import dev.lethe.sinks.prometheus.PrometheusSink;
import dev.lethe.sinks.prometheus.PrometheusSinkConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromtoolRulesTest {

    private static final String RULES = "lethe-alerts.rules.yml";
    private static final String TESTS = "lethe-alerts.test.yml";

    @TempDir
    Path dir;

    private void copyResources() throws Exception {
        for (String name : new String[] {RULES, TESTS}) {
            try (InputStream in = PromtoolRulesTest.class.getResourceAsStream("/prometheus/" + name)) {
                assertThat(in).as("classpath resource /prometheus/%s", name).isNotNull();
                Files.copy(in, dir.resolve(name));
            }
        }
    }

    @Test
    void shouldPassPromtoolUnitTestsWhenTheRulesFileIsChecked() throws Exception {
        copyResources();
        Promtool.Result check = Promtool.run(null, dir, "check", "rules", RULES);
        assertThat(check.exitCode()).as("promtool check rules:%n%s", check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 11 rules found");
        Promtool.Result test = Promtool.run(null, dir, "test", "rules", TESTS);
        assertThat(test.exitCode()).as("promtool test rules:%n%s", test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void shouldOnlyReferToMetricsThePrometheusSinkExposesWhenRulesAreWritten() throws Exception {
        copyResources();
        String rules = Files.readString(dir.resolve(RULES), StandardCharsets.UTF_8);
        Set<String> referenced = new TreeSet<>();
        // metric names, not the lethe_ inside a level:metric:operations recording rule name
        Matcher m = Pattern.compile("(?<![:\\w])(lethe_[a-z_]+)(?![:\\w])").matcher(rules.replaceAll("(?m)#.*$", ""));
        while (m.find()) {
            referenced.add(m.group(1));
        }
        assertThat(referenced).contains("lethe_alerts_total", "lethe_alerts_fired_total", "lethe_alerts_firing", "lethe_forgetting_fg_pct",
                "lethe_forgetting_delta_prev_pp", "lethe_forgetting_family_fg_pct");

        PrometheusSink sink = new PrometheusSink(PrometheusSinkConfig.defaults().withPort(0));
        try {
            sink.bindPipeline(SinkContext.detached(Topics.defaults()).stats(), Topics.defaults().forgetting().name());
            sink.onMetric(category("mlp", "mlp-a", 1, "task", 5.0, 85.0));
            sink.onMetric(family("mlp", 1, "domain-knowledge", 5.0, 1));
            sink.onAlert(alert("a", "mlp", "mlp-a", 1, AlertSeverity.CRITICAL));
            String exposition = sink.scrape();
            for (String name : referenced) {
                assertThat(exposition).as("the exposition serves %s", name).containsPattern("(?m)^" + name + "[{ ]");
            }
        } finally {
            sink.close();
        }
    }
}
