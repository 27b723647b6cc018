package dev.lethe.trainer.model;

import dev.lethe.trainer.campaign.Architecture;
import dev.lethe.trainer.campaign.ModelRun;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the DL4J networks of model runs. Every network takes flat {@code [n, width*height]} input (the CNN
 * reshapes it through its configured input type), so the evaluator feeds MLPs and CNNs the same arrays.
 */
public final class ModelFactory {

    private ModelFactory() {
    }

    /** An initialised network for {@code run} on {@code width x height} images of {@code numClasses} classes. */
    public static MultiLayerNetwork build(ModelRun run, int width, int height, int numClasses, long seed,
            double learningRate) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(learningRate))
                .list();
        List<Integer> size = run.size();
        int layer = 0;
        if (run.architecture() == Architecture.MLP) {
            for (int width2 : size) {
                list.layer(layer++, new DenseLayer.Builder().nOut(width2).activation(Activation.RELU).build());
            }
        } else {
            list.layer(layer++, new ConvolutionLayer.Builder(3, 3).nOut(size.get(0)).stride(1, 1)
                    .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build());
            list.layer(layer++, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                    .stride(2, 2).build());
            list.layer(layer++, new DenseLayer.Builder().nOut(size.get(1)).activation(Activation.RELU).build());
        }
        list.layer(layer, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build());
        list.setInputType(run.architecture() == Architecture.MLP
                ? InputType.feedForward((long) width * height)
                : InputType.convolutionalFlat(height, width, 1));
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The seed of one model's weight init: the campaign seed mixed with the model name (stable across JVMs). */
    public static long modelSeed(long campaignSeed, String modelName) {
        return campaignSeed * 31 + modelName.hashCode();
    }
}
