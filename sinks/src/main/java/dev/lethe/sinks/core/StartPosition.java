package dev.lethe.sinks.core;

/** Where a sink starts reading when it starts. */
public enum StartPosition {
    /** Rebuild the view from the start of the topics (views: console, JSON Lines, Prometheus, report). */
    EARLIEST,
    /** Resume after the group's committed offsets, or from the start if there are none (deliveries: webhook). */
    COMMITTED
}
