package dev.lethe.evaluator.planner;

import dev.lethe.schemas.DeadLetterReason;

/** Why the planner refuses a checkpoint event: the dead-letter reason and a message naming the bad field. */
record PlanRejection(DeadLetterReason reason, String message, Throwable cause) {
}
