package dev.lethe.trainer.run;

import java.nio.file.Path;

/**
 * What one stage of one model run produced.
 *
 * @param checkpointId      {@code campaign/model/stage}
 * @param model             model run name
 * @param stage             stage index (0 = general training on the clean data)
 * @param task              task name, null for stage 0
 * @param checkpoint        the checkpoint file
 * @param sha256            its sha256 (hex)
 * @param trainingStep      optimizer steps of this model run so far
 * @param parameterCount    trainable parameters
 * @param resumed           true when the stage was found complete on disk and not retrained
 * @param published         true when its event was delivered by this run
 * @param ownTaskAccuracy   test accuracy on this stage's own task after the stage (NaN when resumed)
 * @param cleanAccuracy     test accuracy on the clean test set after the stage (NaN when resumed)
 * @param trainMillis       wall time spent training the stage (0 when resumed)
 */
public record StageResult(String checkpointId, String model, int stage, String task, Path checkpoint, String sha256,
        long trainingStep, long parameterCount, boolean resumed, boolean published, double ownTaskAccuracy,
        double cleanAccuracy, long trainMillis) {
}
