package dev.lethe.evaluator.worker;

import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ShardResult;

/** What handling one EvalTask produced: a scored {@link ShardResult}, or a refusal to dead-letter. */
public sealed interface TaskOutcome {

    record Scored(ShardResult result) implements TaskOutcome {
    }

    record Refused(DeadLetterReason reason, String message, Throwable cause) implements TaskOutcome {
    }
}
