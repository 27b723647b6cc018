package dev.lethe.trainer.run;

import dev.lethe.ml.checkpoint.Checkpoints;
import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.data.NdArrays;
import dev.lethe.ml.model.Predictions;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.ml.tasks.ImageTransforms;
import dev.lethe.ml.tasks.TaskSpec;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.ModelRun;
import dev.lethe.trainer.data.ReplayData;
import dev.lethe.trainer.model.ModelFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link Campaign}: every model run through stage 0 (clean data) and the continual stages, writing a
 * checkpoint after every stage atomically with its sha256 sidecar, then publishing {@code CheckpointReady}
 * (for {@code lethe.checkpoints}) through a {@link CheckpointSink}. A rerun resumes after the last complete stage
 * and publishes exactly the events the published ledger does not list.
 *
 * <p>Layout under the checkpoint directory: {@code <campaign>/<model>/stage-<k>.zip} (+ {@code .zip.sha256},
 * {@code .meta}), {@code <campaign>/<model>/run.definition}, {@code <campaign>/published[-<destination>].ledger}.
 */
public final class CampaignRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CampaignRunner.class);
    static final String DEFINITION_FILE = "run.definition";

    private final Campaign campaign;
    private final Path campaignDir;
    private final CheckpointSink sink;
    private final ProgressListener listener;
    private final Datasets.Split data;
    private final PublishedLedger ledger;
    private final Path dataDir;
    /** Replay images from another dataset, loaded on first use. */
    private LabeledImages mnistReplay;

    private CampaignRunner(Campaign campaign, Path checkpointDir, Path dataDir, CheckpointSink sink,
            ProgressListener listener) throws IOException {
        this.campaign = campaign;
        this.campaignDir = checkpointDir.toAbsolutePath().normalize().resolve(campaign.name());
        this.sink = sink;
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.data = campaign.protocol().data(dataDir);
        this.dataDir = dataDir;
        Files.createDirectories(campaignDir);
        this.ledger = new PublishedLedger(campaignDir, sink.destination());
    }

    /**
     * Trains (or resumes) the whole campaign.
     *
     * @param checkpointDir root of the checkpoints; the campaign writes under {@code <checkpointDir>/<campaign>/}
     * @param dataDir       folder holding {@code mnist-t10k/} (mnist only; may be null for digits)
     * @param sink          where events go; {@link CheckpointSink#none()} trains without publishing
     * @param listener      progress callbacks; may be null
     * @throws InterruptedIOException when the calling thread is interrupted (between mini-batches)
     */
    public static CampaignResult run(Campaign campaign, Path checkpointDir, Path dataDir, CheckpointSink sink,
            ProgressListener listener) throws IOException {
        long start = System.nanoTime();
        CampaignRunner runner = new CampaignRunner(campaign, checkpointDir, dataDir, sink, listener);
        List<StageResult> results = new ArrayList<>();
        for (ModelRun run : campaign.models()) {
            results.addAll(runner.runModel(run));
        }
        return new CampaignResult(campaign.name(), results, (System.nanoTime() - start) / 1_000_000);
    }

    /** The checkpoint file of (model, stage) under {@code checkpointDir}. */
    public static Path checkpointPath(Path checkpointDir, String campaign, String model, int stage) {
        return checkpointDir.toAbsolutePath().normalize().resolve(campaign).resolve(model)
                .resolve("stage-" + stage + ".zip");
    }

    /** {@code campaign/model/stage}. */
    public static String checkpointId(String campaign, String model, int stage) {
        return campaign + "/" + model + "/" + stage;
    }

    private List<StageResult> runModel(ModelRun run) throws IOException {
        Path modelDir = campaignDir.resolve(run.name());
        Files.createDirectories(modelDir);
        checkDefinition(run, modelDir);
        ContinualProtocol protocol = campaign.protocol();
        List<StageResult> results = new ArrayList<>();

        int lastComplete = -1;
        while (lastComplete < protocol.stages() && complete(run, lastComplete + 1)) {
            lastComplete++;
        }
        for (int s = 0; s <= lastComplete; s++) {
            Path zip = stagePath(run, s);
            Properties meta = readMeta(zip);
            String sha = meta.getProperty("sha256");
            boolean published = publishIfMissing(event(run, s, zip, meta));
            StageResult r = new StageResult(checkpointId(campaign.name(), run.name(), s), run.name(), s,
                    protocol.task(s).name(), zip, sha, Long.parseLong(meta.getProperty("trainingStep")),
                    Long.parseLong(meta.getProperty("parameterCount")), true, published, Double.NaN, Double.NaN, 0);
            results.add(r);
            listener.stageFinished(r);
        }
        if (lastComplete == protocol.stages()) {
            LOG.debug("model {} of campaign {} is complete on disk", run.name(), campaign.name());
            return results;
        }

        MultiLayerNetwork net;
        if (lastComplete >= 0) {
            // the updater state is in the checkpoint, so resumed training continues exactly as an uninterrupted run
            net = Checkpoints.read(stagePath(run, lastComplete), true);
        } else {
            LabeledImages train = data.train();
            net = ModelFactory.build(run, train.width(), train.height(), train.numClasses(),
                    ModelFactory.modelSeed(campaign.seed(), run.name()), campaign.learningRate());
        }
        for (int s = lastComplete + 1; s <= protocol.stages(); s++) {
            results.add(trainStage(run, net, s));
        }
        return results;
    }

    private StageResult trainStage(ModelRun run, MultiLayerNetwork net, int stage) throws IOException {
        ContinualProtocol protocol = campaign.protocol();
        TaskSpec task = protocol.task(stage);
        LabeledImages stageData = task.apply(data.train());
        if (stage == 0) {
            for (int j = 1; j <= run.pretrainTasks(); j++) {
                stageData = stageData.concat(pretrainTask(run, j));
            }
        } else if (run.replay() > 0) {
            stageData = withReplay(run, stage, stageData);
        }
        if (campaign.gentlerFineTuning()) {
            net.setLearningRate(campaign.learningRateOf(stage));
        }
        int epochs = campaign.epochsOf(stage);
        int n = stageData.size();
        int batchesPerEpoch = (n + campaign.batchSize() - 1) / campaign.batchSize();
        int total = batchesPerEpoch * epochs;
        listener.stageStarted(run.name(), stage, protocol.stages(), task.name(), total);
        long t0 = System.nanoTime();
        int step = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            int[] order = new int[n];
            Arrays.setAll(order, i -> i);
            // app-controlled data order: a fixed function of (seed, model, stage, epoch)
            Datasets.shuffle(order, new Random(mix(campaign.seed(), run.name(), stage, epoch)));
            for (int from = 0; from < n; from += campaign.batchSize()) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("training of " + run.name() + " stage " + stage + " interrupted");
                }
                int[] batch = Arrays.copyOfRange(order, from, Math.min(n, from + campaign.batchSize()));
                net.fit(NdArrays.batch(stageData, batch));
                listener.stepDone(run.name(), stage, ++step, total);
            }
        }
        long trainMillis = (System.nanoTime() - t0) / 1_000_000;
        double own = Predictions.accuracy(net, task.apply(data.test()));
        double clean = stage == 0 ? own : Predictions.accuracy(net, data.test());

        Path zip = stagePath(run, stage);
        String sha = Checkpoints.write(net, zip, true);
        Checkpoints.writeSidecar(zip, sha);
        Properties meta = new Properties();
        meta.setProperty("sha256", sha);
        meta.setProperty("trainingStep", Long.toString(net.getIterationCount()));
        meta.setProperty("parameterCount", Long.toString(net.numParams()));
        meta.setProperty("createdAt", Long.toString(Instant.now().toEpochMilli()));
        writeMeta(zip, meta);
        boolean published = publishIfMissing(event(run, stage, zip, meta));
        StageResult r = new StageResult(checkpointId(campaign.name(), run.name(), stage), run.name(), stage,
                task.name(), zip, sha, net.getIterationCount(), net.numParams(), false, published, own, clean,
                trainMillis);
        listener.stageFinished(r);
        return r;
    }

    /**
     * The stage's data with replay: {@link ModelRun.ReplayMode#ADD} appends {@code round(replay * |stage-0 train
     * set|)} replay images; {@link ModelRun.ReplayMode#REPLACE} keeps the stage's size n, with
     * {@code round(replay * n)} replay images in place of as many of its own (a seeded subset), so the optimizer
     * takes the steps of a run without replay. The replay images are drawn afresh (seeded) for every stage.
     */
    private LabeledImages withReplay(ModelRun run, int stage, LabeledImages own) {
        LabeledImages source = run.replayFrom() == ModelRun.ReplaySource.MNIST ? mnistReplay() : data.train();
        if (run.replayMode() == ModelRun.ReplayMode.ADD) {
            int count = (int) Math.round(run.replay() * data.train().size());
            return own.concat(sample(source, count, mix(campaign.seed(), run.name() + "#replay", stage, 0)));
        }
        int count = (int) Math.round(run.replay() * own.size());
        LabeledImages kept = sample(own, own.size() - count, mix(campaign.seed(), run.name() + "#own", stage, 0));
        return kept.concat(sample(source, count, mix(campaign.seed(), run.name() + "#replay", stage, 0)));
    }

    /** {@code count} images of {@code from} without repetition (all of them, repeated, when it has fewer). */
    private static LabeledImages sample(LabeledImages from, int count, long seed) {
        int[] idx = new int[from.size()];
        Arrays.setAll(idx, i -> i);
        Datasets.shuffle(idx, new Random(seed));
        int[] chosen = new int[count];
        for (int i = 0; i < count; i++) {
            chosen[i] = idx[i % idx.length];
        }
        return from.select(chosen);
    }

    private LabeledImages mnistReplay() {
        if (mnistReplay == null) {
            if (dataDir == null) {
                throw new IllegalArgumentException("replayFrom mnist needs --data-dir (the folder holding mnist-t10k/)");
            }
            LabeledImages train = data.train();
            mnistReplay = ReplayData.mnistAs(dataDir, train.width(), train.height());
        }
        return mnistReplay;
    }

    /**
     * Extra stage-0 task j of a multi-task stage 0: the training set under a pixel permutation seeded apart from the
     * protocol's stage permutations (so no continual stage and no suite element uses it), labels unchanged.
     */
    private LabeledImages pretrainTask(ModelRun run, int j) {
        LabeledImages train = data.train();
        long seed = mix(campaign.seed(), "#pretrain", j, 0);
        return ImageTransforms.permutation(ImageTransforms.randomPermutation(train.featureCount(), seed)).apply(train);
    }

    private static long mix(long seed, String model, int stage, int epoch) {
        long h = seed * 0x9E3779B97F4A7C15L + model.hashCode();
        h = h * 1_000_003L + stage;
        return h * 1_000_003L + epoch;
    }

    private boolean publishIfMissing(CheckpointReady event) throws IOException {
        if (!sink.delivers() || ledger.contains(event.getCheckpointId(), event.getCheckpointSha256())) {
            return false;
        }
        sink.publish(event);
        ledger.record(event.getCheckpointId(), event.getCheckpointSha256());
        return true;
    }

    /** The event of a written stage; every field is derived from the campaign and the stage's files. */
    private CheckpointReady event(ModelRun run, int stage, Path zip, Properties meta) {
        ContinualProtocol protocol = campaign.protocol();
        Map<String, String> attributes = new LinkedHashMap<>(protocol.toAttributes());
        attributes.put("architecture", run.architecture().label());
        attributes.put("size", run.sizeLabel());
        attributes.put("replay", Double.toString(run.replay()));
        if (run.replay() > 0 && (run.replayFrom() != ModelRun.ReplaySource.STAGE0
                || run.replayMode() != ModelRun.ReplayMode.ADD)) {
            attributes.put("replayFrom", run.replayFrom().label());
            attributes.put("replayMode", run.replayMode().label());
        }
        if (run.pretrainTasks() > 0) {
            attributes.put("pretrainTasks", Integer.toString(run.pretrainTasks()));
        }
        attributes.put("epochs", Integer.toString(campaign.epochs()));
        attributes.put("batchSize", Integer.toString(campaign.batchSize()));
        attributes.put("learningRate", Double.toString(campaign.learningRate()));
        if (campaign.gentlerFineTuning()) {
            attributes.put("fineTuneEpochs", Integer.toString(campaign.fineTuneEpochs()));
            attributes.put("fineTuneLearningRate", Double.toString(campaign.fineTuneLearningRate()));
        }
        String omp = System.getenv("OMP_NUM_THREADS");
        attributes.put("ompThreads", omp == null ? "unset" : omp);
        return CheckpointReady.newBuilder()
                .setCheckpointId(checkpointId(campaign.name(), run.name(), stage))
                .setCampaign(campaign.name())
                .setFamily(run.family())
                .setModel(run.name())
                .setStage(stage)
                .setTask(protocol.task(stage).name())
                .setCheckpointUri(zip.toUri().toString())
                .setCheckpointSha256(meta.getProperty("sha256"))
                .setFormat(CheckpointFormat.DL4J_MULTILAYER)
                .setSuite(protocol.suite())
                .setTrainingStep(Long.parseLong(meta.getProperty("trainingStep")))
                .setCreatedAt(Instant.ofEpochMilli(Long.parseLong(meta.getProperty("createdAt"))))
                .setAttributes(attributes)
                .setParameterCount(Long.parseLong(meta.getProperty("parameterCount")))
                .build();
    }

    private Path stagePath(ModelRun run, int stage) {
        return campaignDir.resolve(run.name()).resolve("stage-" + stage + ".zip");
    }

    /** A stage is complete when its zip matches its sha256 sidecar and its metadata names the same hash. */
    private boolean complete(ModelRun run, int stage) throws IOException {
        Path zip = stagePath(run, stage);
        if (!Checkpoints.verifiedBySidecar(zip)) {
            return false;
        }
        Properties meta = readMeta(zip);
        return meta != null && Checkpoints.readSidecar(zip).equals(meta.getProperty("sha256"))
                && meta.getProperty("trainingStep") != null && meta.getProperty("parameterCount") != null
                && meta.getProperty("createdAt") != null;
    }

    private static Path metaPath(Path zip) {
        return zip.resolveSibling(zip.getFileName().toString().replace(".zip", ".meta"));
    }

    private static Properties readMeta(Path zip) throws IOException {
        Path p = metaPath(zip);
        if (!Files.isRegularFile(p)) {
            return null;
        }
        Properties meta = new Properties();
        try (var in = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            meta.load(in);
        }
        return meta;
    }

    private static void writeMeta(Path zip, Properties meta) throws IOException {
        StringBuilder text = new StringBuilder();
        // fixed key order, no timestamp comment line (Properties.store would add one)
        for (String key : List.of("sha256", "trainingStep", "parameterCount", "createdAt")) {
            text.append(key).append('=').append(meta.getProperty(key)).append('\n');
        }
        Checkpoints.writeAtomically(metaPath(zip), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Refuses to resume from checkpoints trained under another definition of the same campaign and model name:
     * they would silently mix two experiments.
     */
    private void checkDefinition(ModelRun run, Path modelDir) throws IOException {
        String definition = "protocol=" + campaign.protocol() + "\nepochs=" + campaign.epochs() + "\nbatchSize="
                + campaign.batchSize() + "\nlearningRate=" + campaign.learningRate()
                + (campaign.gentlerFineTuning() ? "\nfineTuneEpochs=" + campaign.fineTuneEpochs()
                        + "\nfineTuneLearningRate=" + campaign.fineTuneLearningRate() : "")
                + "\nrun=" + run + "\n";
        Path file = modelDir.resolve(DEFINITION_FILE);
        if (Files.isRegularFile(file)) {
            String existing = Files.readString(file, StandardCharsets.UTF_8);
            if (!existing.equals(definition)) {
                throw new IllegalStateException("checkpoints in " + modelDir + " were trained by another definition of "
                        + campaign.name() + "/" + run.name() + "; use another --checkpoints directory or campaign name"
                        + "\n  on disk: " + existing.replace("\n", "; ") + "\n  now:     "
                        + definition.replace("\n", "; "));
            }
        } else {
            Checkpoints.writeAtomically(file, definition.getBytes(StandardCharsets.UTF_8));
        }
    }
}
