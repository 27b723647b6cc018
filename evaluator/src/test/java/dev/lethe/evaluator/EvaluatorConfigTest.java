package dev.lethe.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.schemas.config.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EvaluatorConfigTest {

    static final ClusterConfig CLUSTER = ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081");

    @Test
    void shouldTakeDocumentedDefaultsWhenNothingIsSet() {
        EvaluatorConfig c = EvaluatorConfig.defaults(CLUSTER);

        assertThat(c.workerId()).isEqualTo("worker-0");
        assertThat(c.checkpointRoots()).isEmpty();
        assertThat(c.maxCheckpointBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(c.modelCacheSize()).isEqualTo(2);
        assertThat(c.maxPollRecords()).isEqualTo(4);
        assertThat(c.scorer()).isEqualTo(EvaluatorConfig.ScorerMode.MODEL);
        assertThat(c.workerGroupId()).isEqualTo("lethe-evaluators");
        assertThat(c.workerTransactionalId()).isEqualTo("lethe.evaluator-worker-0");
        for (EvaluatorConfig.Key key : EvaluatorConfig.Key.values()) {
            assertThat(key.doc()).isNotBlank();
            assertThat(key.key()).startsWith("lethe.evaluator.");
        }
    }

    @Test
    void shouldRoundTripThroughPropertiesWhenSentToAChildProcess() {
        ClusterConfig cluster = CLUSTER.withTopicPrefix("t1.").withClientOverrides(Map.of("security.protocol", "SASL_SSL"))
                .withRegistryUserInfo("u:p");
        EvaluatorConfig c = EvaluatorConfig.defaults(cluster).withWorkerId("w-7").withCheckpointRoots(List.of(Path.of("/a"), Path.of("/b")))
                .withAllowedUrls(List.of("https://models.example/ckpt/")).withDataDir(Path.of("/data"))
                .withScorer(EvaluatorConfig.ScorerMode.SLEEP, Duration.ofMillis(200)).withTimeouts(Duration.ofSeconds(7), Duration.ofSeconds(20));

        EvaluatorConfig back = EvaluatorConfig.fromProperties(c.toProperties());

        assertThat(back).isEqualTo(c);
        assertThat(back.workerGroupId()).isEqualTo("t1.evaluators");
    }

    @Test
    void shouldNameTheKeyWhenAValueIsInvalid() {
        assertThatThrownBy(() -> EvaluatorConfig.fromProperties(CLUSTER, props("lethe.evaluator.batch.size", "0")))
                .hasMessageContaining("lethe.evaluator.batch.size");
        assertThatThrownBy(() -> EvaluatorConfig.fromProperties(CLUSTER, props("lethe.evaluator.scorer", "gpu")))
                .hasMessageContaining("lethe.evaluator.scorer");
        assertThatThrownBy(() -> EvaluatorConfig.fromProperties(CLUSTER, props("lethe.evaluator.allowed.urls", "file:/tmp")))
                .hasMessageContaining("lethe.evaluator.allowed.urls");
        assertThatThrownBy(() -> EvaluatorConfig.fromProperties(CLUSTER, props("lethe.evaluator.worker.id", "a b")))
                .hasMessageContaining("lethe.evaluator.worker.id");
        assertThatThrownBy(() -> EvaluatorConfig.fromProperties(CLUSTER, props("lethe.evaluator.session.timeout.ms", "ten")))
                .hasMessageContaining("lethe.evaluator.session.timeout.ms");
    }

    @Test
    void shouldValidateAChangedOptionThroughTheDeclaredOptions() {
        EvaluatorConfig c = EvaluatorConfig.defaults(CLUSTER).with(EvaluatorConfig.Key.BATCH_SIZE, 64);

        assertThat(c.batchSize()).isEqualTo(64);
        assertThat(EvaluatorConfig.CONFIG_DEF.names()).hasSize(EvaluatorConfig.Key.values().length);
        assertThatThrownBy(() -> c.withMaxPollRecords(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lethe.evaluator.max.poll.records");
        assertThatThrownBy(() -> c.withSuiteDir(Path.of("/no/such/suites"))).hasMessageContaining("lethe.evaluator.suite.dir must be an existing directory");
        assertThatThrownBy(() -> c.withTimeouts(Duration.ofMillis(999), Duration.ofSeconds(5)))
                .hasMessageContaining("lethe.evaluator.session.timeout.ms");
    }

    @Test
    void shouldNotPrintTheClustersSecrets() {
        ClusterConfig cluster = CLUSTER.withRegistryUserInfo("u:registry-pass")
                .withClientOverrides(Map.of("sasl.jaas.config", "PlainLoginModule required password=\"jaas-pass\";"));

        String shown = EvaluatorConfig.defaults(cluster).withWorkerId("w-3").toString();

        assertThat(shown).doesNotContain("registry-pass", "jaas-pass").contains("w-3", "lethe.evaluator.batch.size=256");
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }
}
