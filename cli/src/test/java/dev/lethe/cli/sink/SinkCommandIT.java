package dev.lethe.cli.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.testkit.LetheCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SinkCommandIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @TempDir
    Path dir;

    private static ForgettingMetric familyFg(String family, int stage, double fg) {
        return ForgettingMetric.newBuilder().setCampaign("c1").setFamily(family).setStage(stage).setScope(MetricScope.FAMILY)
                .setCategory("domain-knowledge").setFgPct(fg).setModels(2).setUpdatedAt(Instant.parse("2026-01-01T00:00:00Z")).build();
    }

    @Test
    void shouldWriteFilesAndPrintTheTableThenExitWhenCaughtUp() throws Exception {
        ClusterConfig config = CLUSTER.newTopicPrefix();
        List<ForgettingMetric> sent = List.of(familyFg("mlp", 1, 4.0), familyFg("mlp", 2, 8.5), familyFg("cnn", 1, 1.25));
        for (ForgettingMetric m : sent) {
            CLUSTER.send(config.topics().forgetting(), m.getFamily(), m);
        }
        String[] cluster = {"--bootstrap-servers", config.bootstrapServers(), "--schema-registry", config.schemaRegistryUrl(),
            "--topic-prefix", config.topicPrefix(), "--exit-when-caught-up", "--timeout-seconds", "60"};

        CliRun jsonl = CliRun.of(concat(new String[] {"sink", "jsonl", "--out", dir.toString()}, cluster));
        assertThat(jsonl.exit()).as(jsonl.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl")))
                .containsExactly(RecordJson.toJson(sent.get(2)), RecordJson.toJson(sent.get(0)), RecordJson.toJson(sent.get(1)));
        assertThat(jsonl.err()).contains("read 3 records, 0 dead-lettered");

        CliRun console = CliRun.of(concat(new String[] {"sink", "console", "--ansi", "NEVER"}, cluster));
        assertThat(console.exit()).as(console.err()).isZero();
        assertThat(console.out()).contains("family mlp stage 2 models 2 FG[domain-knowledge]=8.50 alerts 0")
                .contains("family cnn stage 1 models 2 FG[domain-knowledge]=1.25 alerts 0");

        CliRun report = CliRun.of(concat(new String[] {"sink", "report", "--out", dir.toString()}, cluster));
        assertThat(report.exit()).as(report.err()).isZero();
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg").contains("family mean (2 runs)");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
