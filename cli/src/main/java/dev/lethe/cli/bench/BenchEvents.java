package dev.lethe.cli.bench;

import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import java.time.Instant;
import java.util.LinkedHashMap;

/** The CheckpointReady events the benchmarks publish, shaped like the trainer's. */
final class BenchEvents {

    private BenchEvents() {
    }

    static CheckpointReady checkpoint(String campaign, String family, String model, int stage, ContinualProtocol protocol,
                                      String uri, String sha256) {
        return CheckpointReady.newBuilder()
                .setCheckpointId(campaign + "/" + model + "/" + stage)
                .setCampaign(campaign)
                .setFamily(family)
                .setModel(model)
                .setStage(stage)
                .setTask(protocol.task(stage).name())
                .setCheckpointUri(uri)
                .setCheckpointSha256(sha256)
                .setFormat(CheckpointFormat.DL4J_MULTILAYER)
                .setSuite(protocol.suite())
                .setTrainingStep(stage)
                .setCreatedAt(Instant.now())
                .setAttributes(new LinkedHashMap<>(protocol.toAttributes()))
                .build();
    }
}
