package dev.lethe.evaluator.llm;

import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A real character-level language model for the scorer tests: a small DL4J LSTM (double precision) trained for a few
 * seconds on {@link #CORPUS}. Tokens are characters, so a completions server built on it has trivial text offsets.
 * Two independent read-outs: {@link #tokenLogprobs} (one forward pass over the whole prompt, what the server returns)
 * and {@link #continuationLogLikelihood} (step by step with {@code rnnTimeStep}, the test's reference).
 */
final class CharLstmModel {

    static final String CORPUS = """
            the cat sat on the mat. the dog sat on the log. a cat and a dog ran to the park.
            the sun is hot and the sky is blue. the grass is green and the sea is deep.
            she said that the answer is yes. he said that the answer is no. is the sky blue? yes.
            is the sea dry? no. the bird can fly over the tree. the fish can swim in the sea.
            question: what is red? answer: a rose. question: what is blue? answer: the sky.
            """.replace('\n', ' ');

    private final String vocabulary;
    private final MultiLayerNetwork net;

    private CharLstmModel(String vocabulary, MultiLayerNetwork net) {
        this.vocabulary = vocabulary;
        this.net = net;
    }

    private static CharLstmModel shared;

    /** One model per test JVM (training takes a few seconds). */
    static synchronized CharLstmModel shared() {
        if (shared == null) {
            shared = train(100);
        }
        return shared;
    }

    /** Trains on {@link #CORPUS} for {@code iterations} mini-batches (seeded, so the model is the same every run). */
    static CharLstmModel train(int iterations) {
        String vocab = CORPUS.chars().distinct().sorted()
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        int v = vocab.length();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42).dataType(DataType.DOUBLE).updater(new Adam(0.02))
                .list()
                .layer(new LSTM.Builder().nIn(v).nOut(48).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(48).nOut(v).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        CharLstmModel model = new CharLstmModel(vocab, net);
        Random random = new Random(7);
        int t = 24;
        int mb = 16;
        for (int it = 0; it < iterations; it++) {
            INDArray features = Nd4j.zeros(DataType.DOUBLE, mb, v, t);
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, mb, v, t);
            for (int b = 0; b < mb; b++) {
                int start = random.nextInt(CORPUS.length() - t - 1);
                for (int s = 0; s < t; s++) {
                    features.putScalar(new int[] {b, model.index(CORPUS.charAt(start + s)), s}, 1.0);
                    labels.putScalar(new int[] {b, model.index(CORPUS.charAt(start + s + 1)), s}, 1.0);
                }
            }
            net.fit(features, labels);
        }
        return model;
    }

    int index(char c) {
        int i = vocabulary.indexOf(c);
        if (i < 0) {
            throw new IllegalArgumentException("character '" + c + "' is not in the model's vocabulary");
        }
        return i;
    }

    boolean knows(String s) {
        return s.chars().allMatch(c -> vocabulary.indexOf(c) >= 0);
    }

    /**
     * {@code log p(s[i] | s[0..i))} for every position; position 0 has no context and is NaN (OpenAI's null).
     * One forward pass over the whole string, like a server scoring an echoed prompt.
     */
    synchronized double[] tokenLogprobs(String s) {
        double[] out = new double[s.length()];
        out[0] = Double.NaN;
        if (s.length() < 2) {
            return out;
        }
        int v = vocabulary.length();
        INDArray in = Nd4j.zeros(DataType.DOUBLE, 1, v, s.length() - 1);
        for (int i = 0; i < s.length() - 1; i++) {
            in.putScalar(new int[] {0, index(s.charAt(i)), i}, 1.0);
        }
        net.rnnClearPreviousState();
        INDArray p = net.output(in, false);
        for (int i = 1; i < s.length(); i++) {
            out[i] = Math.log(p.getDouble(0, index(s.charAt(i)), i - 1));
        }
        return out;
    }

    /** The most likely next character after {@code s} (what a server generating one token would add). */
    synchronized char next(String s) {
        INDArray in = Nd4j.zeros(DataType.DOUBLE, 1, vocabulary.length(), s.length());
        for (int i = 0; i < s.length(); i++) {
            in.putScalar(new int[] {0, index(s.charAt(i)), i}, 1.0);
        }
        net.rnnClearPreviousState();
        INDArray p = net.output(in, false);
        return vocabulary.charAt(p.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(s.length() - 1)).argMax().getInt(0));
    }

    /** The reference: {@code sum log p(continuation | context)} computed step by step with {@code rnnTimeStep}. */
    synchronized double continuationLogLikelihood(String context, String continuation) {
        // the model is fixed after training, so a reference computed once stays valid
        return reference.computeIfAbsent(context + '\u0000' + continuation, k -> stepByStep(context, continuation));
    }

    private final java.util.Map<String, Double> reference = new java.util.HashMap<>();

    private double stepByStep(String context, String continuation) {
        String all = context + continuation;
        net.rnnClearPreviousState();
        double sum = 0;
        int v = vocabulary.length();
        for (int i = 0; i < all.length() - 1; i++) {
            INDArray step = Nd4j.zeros(DataType.DOUBLE, 1, v);
            step.putScalar(new int[] {0, index(all.charAt(i))}, 1.0);
            INDArray p = net.rnnTimeStep(step);
            if (i + 1 >= context.length()) {
                sum += Math.log(p.getDouble(0, index(all.charAt(i + 1))));
            }
        }
        net.rnnClearPreviousState();
        return sum;
    }
}
