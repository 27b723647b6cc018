package dev.lethe.ml.tasks;

import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * A continual-learning protocol over one dataset: stage 0 trains on the clean data, stages 1..N on a sequence of
 * tasks (permuted pixels or class-incremental splits). It round-trips through a {@code CheckpointReady}'s
 * attributes, so the evaluator rebuilds exactly the tasks the trainer trained on.
 *
 * @param dataset  {@code digits} or {@code mnist}
 * @param kind     {@link Kind#PERMUTED} or {@link Kind#SPLIT}
 * @param seed     fixes the permutations and the class grouping
 * @param stages   number of continual stages N (stage 0 not counted)
 */
public record ContinualProtocol(String dataset, Kind kind, long seed, int stages) {

    /** Attribute key: the dataset name. */
    public static final String DATASET = "dataset";
    /** Attribute key: {@code permuted} or {@code split}. */
    public static final String PROTOCOL = "protocol";
    /** Attribute key: the protocol seed (decimal long). */
    public static final String SEED = "seed";
    /** Attribute key: the number of continual stages N (decimal int). */
    public static final String STAGES = "stages";
    /** Upper bound on stages, against a typo asking for a million tasks. */
    public static final int MAX_STAGES = 100;
    /** Both datasets have ten classes. */
    public static final int NUM_CLASSES = 10;

    /** How the continual stages differ from the clean data. */
    public enum Kind {
        /** Every stage applies a new fixed pixel permutation, labels unchanged (domain-incremental). */
        PERMUTED("perm"),
        /** Every stage trains only on its own group of classes (class-incremental). */
        SPLIT("split");

        private final String taskPrefix;

        Kind(String taskPrefix) {
            this.taskPrefix = taskPrefix;
        }

        /** The attribute value, {@code permuted} or {@code split}. */
        public String attributeValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Task names are {@code <prefix>-<stage>}: {@code perm} or {@code split}. */
        public String taskPrefix() {
            return taskPrefix;
        }

        /** Parses {@code permuted} or {@code split} (case-insensitive). */
        public static Kind parse(String value) {
            for (Kind k : values()) {
                if (k.attributeValue().equalsIgnoreCase(value == null ? "" : value.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("protocol must be permuted or split, got '" + value + "'");
        }
    }

    public ContinualProtocol {
        Objects.requireNonNull(kind, "protocol");
        if (!Datasets.names().contains(dataset)) {
            throw new IllegalArgumentException("dataset must be one of " + Datasets.names() + ", got '" + dataset + "'");
        }
        if (stages < 1 || stages > MAX_STAGES) {
            throw new IllegalArgumentException("stages must be in 1.." + MAX_STAGES + ", got " + stages);
        }
        if (kind == Kind.SPLIT && stages > NUM_CLASSES) {
            throw new IllegalArgumentException("stages must be at most " + NUM_CLASSES
                    + " for the split protocol (one class group per stage), got " + stages);
        }
    }

    /** Rebuilds a protocol from a {@code CheckpointReady}'s attributes; a missing or bad key is named in the error. */
    public static ContinualProtocol from(Map<String, String> attributes) {
        Objects.requireNonNull(attributes, "attributes");
        String dataset = required(attributes, DATASET);
        Kind kind = Kind.parse(required(attributes, PROTOCOL));
        long seed;
        int stages;
        try {
            seed = Long.parseLong(required(attributes, SEED).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attribute seed must be an integer, got '" + attributes.get(SEED) + "'");
        }
        try {
            stages = Integer.parseInt(required(attributes, STAGES).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attribute stages must be an integer, got '" + attributes.get(STAGES)
                    + "'");
        }
        return new ContinualProtocol(dataset, kind, seed, stages);
    }

    private static String required(Map<String, String> attributes, String key) {
        String v = attributes.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("attribute " + key + " is missing");
        }
        return v;
    }

    /** The four attributes {@link #from} reads: dataset, protocol, seed, stages. */
    public Map<String, String> toAttributes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(DATASET, dataset);
        m.put(PROTOCOL, kind.attributeValue());
        m.put(SEED, Long.toString(seed));
        m.put(STAGES, Integer.toString(stages));
        return m;
    }

    /** The benchmark suite id of this dataset's continual suite: {@code digits-cl} or {@code mnist-cl}. */
    public String suite() {
        return suiteFor(dataset);
    }

    /** {@code <dataset>-cl}. */
    public static String suiteFor(String dataset) {
        return dataset + "-cl";
    }

    /** The task of {@code stage} (0..stages): stage 0 is the clean data with a null name. */
    public TaskSpec task(int stage) {
        if (stage < 0 || stage > stages) {
            throw new IllegalArgumentException("stage must be in 0.." + stages + ", got " + stage);
        }
        int[] all = new int[NUM_CLASSES];
        Arrays.setAll(all, i -> i);
        if (stage == 0) {
            return new TaskSpec(0, null, ImageTransform.identity(), all);
        }
        String name = taskName(stage);
        if (kind == Kind.PERMUTED) {
            long permSeed = permutationSeed(stage);
            ImageTransform t = images -> ImageTransforms.permutation(
                    ImageTransforms.randomPermutation(images.featureCount(), permSeed)).apply(images);
            return new TaskSpec(stage, name, t, all);
        }
        int[] classes = classGroup(stage);
        return new TaskSpec(stage, name, ImageTransforms.onlyClasses(classes), classes);
    }

    /** All tasks, stage 0 first. */
    public List<TaskSpec> tasks() {
        List<TaskSpec> list = new ArrayList<>();
        for (int s = 0; s <= stages; s++) {
            list.add(task(s));
        }
        return list;
    }

    /** {@code perm-<stage>} or {@code split-<stage>} for stage >= 1. */
    public String taskName(int stage) {
        return kind.taskPrefix() + "-" + stage;
    }

    /** The seed of stage {@code stage}'s permutation: a fixed function of (seed, stage). */
    long permutationSeed(int stage) {
        return seed * 6_364_136_223_846_793_005L + 1_442_695_040_888_963_407L * stage;
    }

    /** The classes of split stage {@code stage}: the seeded class order cut into {@code stages} near-equal groups. */
    int[] classGroup(int stage) {
        int[] order = new int[NUM_CLASSES];
        Arrays.setAll(order, i -> i);
        Datasets.shuffle(order, new Random(seed ^ 0x5DEECE66DL));
        int from = (stage - 1) * NUM_CLASSES / stages;
        int to = stage * NUM_CLASSES / stages;
        int[] group = Arrays.copyOfRange(order, from, to);
        Arrays.sort(group);
        return group;
    }

    /** The fixed train/test split of this protocol's dataset ({@link Datasets#split(LabeledImages)}). */
    public Datasets.Split data(Path dataDir) {
        return Datasets.split(Datasets.load(dataset, dataDir));
    }
}
