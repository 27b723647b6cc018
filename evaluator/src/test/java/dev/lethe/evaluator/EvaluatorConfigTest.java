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

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }
}
