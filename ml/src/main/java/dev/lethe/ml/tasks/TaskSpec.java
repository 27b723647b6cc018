package dev.lethe.ml.tasks;

import dev.lethe.ml.data.LabeledImages;
import java.util.Arrays;

/**
 * What one stage of a continual protocol trains on: its task name (null for stage 0, the clean general data),
 * and the transform that turns the clean train or test images into that task's images.
 *
 * @param stage     the stage index, 0 = general training on the clean data
 * @param name      task name as carried in {@code CheckpointReady.task} (e.g. {@code perm-2}, {@code split-1});
 *                  null for stage 0
 * @param transform maps clean images to this task's images
 * @param classes   the classes this task trains on (all classes except for split tasks)
 */
public record TaskSpec(int stage, String name, ImageTransform transform, int[] classes) {

    /** This task's images built from clean (untransformed) images. */
    public LabeledImages apply(LabeledImages clean) {
        return transform.apply(clean);
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    @Override
    public String toString() {
        return "TaskSpec[stage=" + stage + ", name=" + name + ", classes=" + Arrays.toString(classes) + "]";
    }
}
