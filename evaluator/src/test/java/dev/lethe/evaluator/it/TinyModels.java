package dev.lethe.evaluator.it;

import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.data.NdArrays;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Trains tiny real DL4J models on the digits continual protocol and writes real checkpoints with events. */
final class TinyModels {

    static final Map<String, String> ATTRIBUTES = Map.of("dataset", "digits", "protocol", "permuted", "seed", "11", "stages", "2");
    static final ContinualProtocol PROTOCOL = ContinualProtocol.from(ATTRIBUTES);

    private TinyModels() {
    }

    /** A 64-32-10 MLP trained for a few iterations on stage 0, then on each task up to {@code stage}. */
    static MultiLayerNetwork train(int stage) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(new Adam(0.02))
                .list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        LabeledImages train = Datasets.split(Datasets.load("digits", null)).train();
        for (int s = 0; s <= stage; s++) {
            LabeledImages task = PROTOCOL.task(s).apply(train);
            DataSet batch = NdArrays.batch(task, 0, task.size());
            for (int i = 0; i < 15; i++) {
                net.fit(batch);
            }
        }
        return net;
    }

    /** Writes the stage's checkpoint under {@code root} and returns its CheckpointReady event. */
    static CheckpointReady checkpoint(Path root, String campaign, String model, int stage, MultiLayerNetwork net) throws IOException {
        Path file = root.resolve(campaign).resolve(model).resolve("stage-" + stage + ".zip");
        String sha = Checkpoints.write(net, file, false);
        return event(campaign, model, stage, file.toUri().toString(), sha);
    }

    static CheckpointReady event(String campaign, String model, int stage, String uri, String sha) {
        return CheckpointReady.newBuilder()
                .setCheckpointId(campaign + "/" + model + "/" + stage)
                .setCampaign(campaign)
                .setFamily("mlp")
                .setModel(model)
                .setStage(stage)
                .setTask(stage == 0 ? null : PROTOCOL.taskName(stage))
                .setCheckpointUri(uri)
                .setCheckpointSha256(sha)
                .setFormat(CheckpointFormat.DL4J_MULTILAYER)
                .setSuite("digits-cl")
                .setTrainingStep(15L * (stage + 1))
                .setCreatedAt(Instant.now())
                .setAttributes(new HashMap<>(ATTRIBUTES))
                .build();
    }
}
