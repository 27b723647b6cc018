package dev.lethe.trainer.campaign;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One model trained through all stages of a campaign.
 *
 * @param name         unique within the campaign; a path segment and part of the checkpoint id
 * @param family       aggregation family (e.g. {@code mlp}); models of one family are compared by scale
 * @param architecture {@link Architecture#MLP} or {@link Architecture#CNN}
 * @param size         MLP: hidden widths; CNN: {@code [channels, denseWidth]}
 * @param replay       share of the stage-0 training set mixed into every later stage, in [0,1]; 0 = no replay
 * @param replayFrom   where the replayed images come from: the stage-0 training set itself, or a dataset disjoint
 *                     from every evaluation element ({@link ReplaySource})
 * @param replayMode   {@link ReplayMode#ADD}: the replay is appended to the stage's data (more optimizer steps);
 *                     {@link ReplayMode#REPLACE}: it takes the place of as many of the stage's own images, so every
 *                     stage keeps the optimizer steps of a run without replay
 * @param pretrainTasks extra tasks trained together with the clean data in stage 0 (each a pixel permutation of
 *                     the training set that no continual stage uses): 0 = the single-task stage 0
 */
public record ModelRun(String name, String family, Architecture architecture, List<Integer> size, double replay,
        ReplaySource replayFrom, ReplayMode replayMode, int pretrainTasks) {

    /** Upper bound on {@link #pretrainTasks}. */
    public static final int MAX_PRETRAIN_TASKS = 20;

    /** Where replayed images come from. */
    public enum ReplaySource {
        /** The campaign's own stage-0 training set (the distribution the domain-knowledge elements measure). */
        STAGE0,
        /** MNIST (the 10k set under {@code --data-dir}) resampled to the campaign's 8x8 digits: another dataset. */
        MNIST;

        /** {@code stage0} or {@code mnist}. */
        public String label() {
            return EnumLabels.label(this);
        }
    }

    /** Whether replay adds optimizer steps or keeps them equal to a run without replay. */
    public enum ReplayMode {
        ADD, REPLACE;

        /** {@code add} or {@code replace}. */
        public String label() {
            return EnumLabels.label(this);
        }
    }

    /** A run with stage-0 replay appended (or none) and a single-task stage 0. */
    public ModelRun(String name, String family, Architecture architecture, List<Integer> size, double replay) {
        this(name, family, architecture, size, replay, ReplaySource.STAGE0, ReplayMode.ADD, 0);
    }

    /** Names and families are path segments and Kafka key parts: lower-case letters, digits, '.', '_', '-'. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public ModelRun {
        Objects.requireNonNull(architecture, "architecture");
        requireName("name", name);
        requireName("family", family);
        size = List.copyOf(size);
        if (size.isEmpty() || size.stream().anyMatch(s -> s == null || s < 1 || s > 4096)) {
            throw new IllegalArgumentException("model " + name + ": size must be a non-empty list of widths in 1..4096, got "
                    + size);
        }
        if (architecture == Architecture.CNN && size.size() != 2) {
            throw new IllegalArgumentException("model " + name + ": a cnn's size is [channels, denseWidth], got " + size);
        }
        if (!(replay >= 0 && replay <= 1)) {
            throw new IllegalArgumentException("model " + name + ": replay must be in [0,1], got " + replay);
        }
        Objects.requireNonNull(replayFrom, "replayFrom");
        Objects.requireNonNull(replayMode, "replayMode");
        if (replayMode == ReplayMode.REPLACE && replay >= 1) {
            throw new IllegalArgumentException("model " + name + ": replayMode replace needs replay < 1 (it would "
                    + "replace all of a stage's own data), got " + replay);
        }
        if (pretrainTasks < 0 || pretrainTasks > MAX_PRETRAIN_TASKS) {
            throw new IllegalArgumentException("model " + name + ": pretrainTasks must be in 0.." + MAX_PRETRAIN_TASKS
                    + ", got " + pretrainTasks);
        }
    }

    static void requireName(String key, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(key + " must match " + NAME.pattern() + ", got '" + value + "'");
        }
    }

    /** The size as written in attributes, e.g. {@code 128} or {@code 8,32}. */
    public String sizeLabel() {
        return size.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
