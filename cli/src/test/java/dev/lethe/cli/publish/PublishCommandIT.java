package dev.lethe.cli.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.testkit.LetheCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PublishCommandIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    @Test
    void shouldPrintWhereItLandedAndBeReadableAsSpecificRecordWhenPublished() {
        ClusterConfig config = CLUSTER.newTopicPrefix();
        Map<String, String> flags = PublishCommandTest.validFlags();
        flags.put("--bootstrap-servers", config.bootstrapServers());
        flags.put("--schema-registry", config.schemaRegistryUrl());
        flags.put("--topic-prefix", config.topicPrefix());
        flags.put("--timeout", "30");
        flags.put("--step", "640");
        flags.put("--parameter-count", "1234");
        flags.put("--created-at", "2026-03-01T10:15:30Z");
        flags.put("--sha256", PublishCommandTest.SHA.toUpperCase());

        CliRun r = PublishCommandTest.run(flags, "--attr", "protocol=permuted", "--attr", "seed=7");

        assertThat(r.exit()).as(r.err()).isZero();
        Matcher m = Pattern.compile("topic=(\\S+) partition=(\\d+) offset=(\\d+) key=c1/m1 checkpointId=c1/m1/1")
                .matcher(r.out().strip());
        assertThat(m.matches()).as(r.out()).isTrue();
        assertThat(m.group(1)).isEqualTo(config.topics().checkpoints().name());

        List<ConsumerRecord<String, CheckpointReady>> read = CLUSTER.readAll(config.topics().checkpoints(), 1, Duration.ofSeconds(30));
        assertThat(read).hasSize(1);
        ConsumerRecord<String, CheckpointReady> rec = read.get(0);
        assertThat(rec.partition()).isEqualTo(Integer.parseInt(m.group(2)));
        assertThat(rec.offset()).isEqualTo(Long.parseLong(m.group(3)));
        assertThat(rec.key()).isEqualTo("c1/m1");
        assertThat(rec.value()).isEqualTo(CheckpointReady.newBuilder()
                .setCheckpointId("c1/m1/1").setCampaign("c1").setFamily("mlp").setModel("m1").setStage(1)
                .setTask("perm-1").setCheckpointUri("file:/tmp/ckpt/m1-1.zip").setCheckpointSha256(PublishCommandTest.SHA)
                .setFormat(CheckpointFormat.DL4J_MULTILAYER).setSuite("digits-cl").setTrainingStep(640)
                .setCreatedAt(Instant.parse("2026-03-01T10:15:30Z"))
                .setAttributes(Map.of("protocol", "permuted", "seed", "7")).setParameterCount(1234L).build());
    }
}
