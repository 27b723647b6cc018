package dev.lethe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.registry.InMemorySchemaRegistryClient;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointPublisherTest {

    static final String SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private MockProducer<String, CheckpointReady> producer;
    private CheckpointPublisher publisher;

    @BeforeEach
    void setUp() {
        producer = new MockProducer<>(true, null, new StringSerializer(),
                AvroSerdes.of(CheckpointReady.class, new InMemorySchemaRegistryClient()).serializer());
        publisher = new CheckpointPublisher(producer, Topics.defaults().checkpoints(), Duration.ofSeconds(5));
    }

    static CheckpointReady.Builder valid() {
        return CheckpointReady.newBuilder()
                .setCheckpointId("")
                .setCampaign("c1").setFamily("mlp").setModel("m1").setStage(2).setTask("perm-2")
                .setCheckpointUri("file:/tmp/ckpt/m1-2.zip").setCheckpointSha256(SHA)
                .setFormat(CheckpointFormat.DL4J_MULTILAYER).setSuite("digits-cl").setTrainingStep(120)
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z")).setAttributes(Map.of("seed", "7"));
    }

    @Test
    void shouldSendWithCampaignModelKeyAndDerivedIdWhenValid() {
        PublishReceipt receipt = publisher.publish(valid().build());

        assertThat(producer.history()).hasSize(1);
        var sent = producer.history().get(0);
        assertThat(sent.topic()).isEqualTo("lethe.checkpoints");
        assertThat(sent.key()).isEqualTo("c1/m1");
        assertThat(sent.value().getCheckpointId()).isEqualTo("c1/m1/2");
        assertThat(receipt.topic()).isEqualTo("lethe.checkpoints");
        assertThat(receipt.key()).isEqualTo("c1/m1");
        assertThat(receipt.checkpointId()).isEqualTo("c1/m1/2");
        assertThat(receipt.offset()).isZero();
    }

    @Test
    void shouldLowerCaseTheShaAndKeepAnExplicitMatchingIdWhenGiven() {
        publisher.publish(valid().setCheckpointId("c1/m1/2").setCheckpointSha256(SHA.toUpperCase()).build());

        assertThat(producer.history().get(0).value().getCheckpointSha256()).isEqualTo(SHA);
        assertThat(producer.history().get(0).value().getCheckpointId()).isEqualTo("c1/m1/2");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "negative stage      | stage            | --stage",
        "empty campaign      | campaign         | --campaign",
        "blank family        | family           | --family",
        "empty model         | model            | --model",
        "slash in model      | model            | --model",
        "empty suite         | suite            | --suite",
        "relative uri        | checkpointUri    | --uri",
        "unparseable uri     | checkpointUri    | --uri",
        "short sha           | checkpointSha256 | --sha256",
        "non-hex sha         | checkpointSha256 | --sha256",
        "negative step       | trainingStep     | --step",
        "wrong id            | checkpointId     | --checkpoint-id",
        "blank task          | task             | --task",
        "negative parameters | parameterCount   | --parameter-count",
        "null format         | format           | --format",
    })
    void shouldRejectAndSendNothingWhenAFieldIsInvalid(String problem, String field, String flag) {
        CheckpointReady.Builder b = valid();
        Map<String, Consumer<CheckpointReady.Builder>> breakers = Map.ofEntries(
                Map.entry("negative stage", x -> x.setStage(-1)),
                Map.entry("empty campaign", x -> x.setCampaign("")),
                Map.entry("blank family", x -> x.setFamily("  ")),
                Map.entry("empty model", x -> x.setModel("")),
                Map.entry("slash in model", x -> x.setModel("a/b")),
                Map.entry("empty suite", x -> x.setSuite("")),
                Map.entry("relative uri", x -> x.setCheckpointUri("ckpt.zip")),
                Map.entry("unparseable uri", x -> x.setCheckpointUri("file:/tmp/a b^")),
                Map.entry("short sha", x -> x.setCheckpointSha256("abc")),
                Map.entry("non-hex sha", x -> x.setCheckpointSha256(SHA.replace('0', 'g'))),
                Map.entry("negative step", x -> x.setTrainingStep(-5)),
                Map.entry("wrong id", x -> x.setCheckpointId("c1/m1/3")),
                Map.entry("blank task", x -> x.setTask(" ")),
                Map.entry("negative parameters", x -> x.setParameterCount(-1L)),
                Map.entry("null format", x -> { }));
        breakers.get(problem).accept(b);
        CheckpointReady event = buildUnchecked(b, problem);

        assertThatThrownBy(() -> publisher.publish(event))
                .isInstanceOfSatisfying(InvalidCheckpointEventException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.flag()).isEqualTo(flag);
                    assertThat(e.getMessage()).startsWith(flag + " (" + field + ")");
                });
        assertThat(producer.history()).isEmpty();
    }

    private static CheckpointReady buildUnchecked(CheckpointReady.Builder b, String problem) {
        if (problem.equals("null format")) {
            // the Avro builder refuses a null enum; a hand-made record can still carry one
            CheckpointReady r = valid().build();
            r.setFormat(null);
            return r;
        }
        return b.build();
    }

    @Test
    void shouldReportTheBrokerErrorWhenTheSendFails() {
        MockProducer<String, CheckpointReady> failing = new MockProducer<>(false, null, new StringSerializer(),
                AvroSerdes.of(CheckpointReady.class, new InMemorySchemaRegistryClient()).serializer());
        CheckpointPublisher p = new CheckpointPublisher(failing, Topics.defaults().checkpoints(), Duration.ofSeconds(5));
        Thread t = new Thread(() -> {
            while (!failing.errorNext(new org.apache.kafka.common.errors.NotEnoughReplicasException("no ISR"))) {
                Thread.onSpinWait();
            }
        });
        t.start();

        assertThatThrownBy(() -> p.publish(valid().build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("c1/m1/2").hasMessageContaining("no ISR");
    }
}
