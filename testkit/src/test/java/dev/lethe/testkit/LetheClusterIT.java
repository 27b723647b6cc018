package dev.lethe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.http.HttpLimits;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LetheClusterIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @Test
    void shouldCreateEveryLetheTopicWhenStarted() throws Exception {
        try (Admin admin = Admin.create(CLUSTER.config().clientProperties())) {
            assertThat(admin.listTopics().names().get())
                    .containsAll(CLUSTER.config().topics().all().stream().map(t -> t.name()).toList());
        }
    }

    @Test
    void shouldReadRecordsSentBeforeAndAfterABrokerRestart() {
        String topic = CLUSTER.newTopicPrefix().topics().shardResults().name();
        CLUSTER.sendBytes(topic, "a", "1".getBytes(StandardCharsets.UTF_8));

        CLUSTER.restartBroker();
        CLUSTER.sendBytes(topic, "b", "2".getBytes(StandardCharsets.UTF_8));

        List<ConsumerRecord<String, byte[]>> records = CLUSTER.readRaw(topic, 2, Duration.ofSeconds(30));
        assertThat(records).extracting(r -> r.key() + "=" + new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("a=1", "b=2");
    }

    @Test
    void shouldRegisterNewSchemasWhenTheBrokerWasRestarted() {
        var topics = CLUSTER.newTopicPrefix().topics();
        CLUSTER.restartBroker();
        AlertRule[] rules = AlertRule.values();
        // a subject the registry has never seen: it must write to its _schemas log on the restarted broker
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(topics.alerts().name()).setPartition(1).setOffset(2L)
                .setReason(DeadLetterReason.DESERIALIZATION).setMessage("after restart " + rules.length)
                .setTimestamp(Instant.parse("2026-01-02T00:00:00Z")).build();

        CLUSTER.send(topics.dlq(topics.alerts()), "r", letter);

        assertThat(CLUSTER.readDlq(topics.alerts(), 1, Duration.ofSeconds(30))).extracting(ConsumerRecord::value)
                .containsExactly(letter);
    }

    @Test
    void shouldReadBackAnAvroRecordWhenSentThroughTheRegistry() {
        var topics = CLUSTER.newTopicPrefix().topics();
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(topics.checkpoints().name()).setPartition(0).setOffset(7L)
                .setKey(null).setValue(null)
                .setReason(DeadLetterReason.VALIDATION).setExceptionClass("X").setMessage("bad")
                .setTimestamp(Instant.parse("2026-01-01T00:00:00Z")).build();

        CLUSTER.send(topics.dlq(topics.checkpoints()), "k", letter);

        List<ConsumerRecord<String, DeadLetter>> read = CLUSTER.readDlq(topics.checkpoints(), 1, Duration.ofSeconds(30));
        assertThat(read).hasSize(1);
        assertThat(read.get(0).key()).isEqualTo("k");
        assertThat(read.get(0).value()).isEqualTo(letter);
        assertThat(CLUSTER.readRaw(topics.dlq(topics.checkpoints()).name(), 1, Duration.ofSeconds(5)).get(0).value()[0])
                .as("Confluent magic byte").isZero();
    }

    @Test
    void shouldKeepTheSchemaRegistryAnsweringWhenSlowClientsAndHugeBodiesArrive() throws Exception {
        // issue 14: four partial requests stalled the registry, a 600 MB POST ran its handler out of memory
        try (HttpAttacks attacks = new HttpAttacks()) {
            assertThat(attacks.slowClientsAndHugeBody(CLUSTER.registry().port(), HttpLimits.defaults().maxConnectionsPerClient(),
                    "/subjects", "/subjects/x-value/versions")).isEqualTo(new HttpAttacks.Outcome(429, 200, 413));
        }
    }

    @Test
    void shouldFailClearlyWhenTooFewRecordsArrive() {
        String topic = CLUSTER.newTopicPrefix().topics().alerts().name();

        assertThatThrownBy(() -> CLUSTER.readRaw(topic, 1, Duration.ofMillis(500)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected at least 1 records on " + topic);
        assertThatThrownBy(() -> CLUSTER.readRaw("no-such-topic", 1, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("topic no-such-topic does not exist");
    }
}
