package dev.lethe.cli.multi;

import dev.lethe.schemas.CheckpointReady;
import dev.lethe.trainer.run.CheckpointSink;
import java.util.ArrayList;
import java.util.List;

/** Keeps the trainer's CheckpointReady events so the test can publish them to lethe.checkpoints in batches of its choosing. */
final class CollectingSink implements CheckpointSink {

    private final List<CheckpointReady> events = new ArrayList<>();

    @Override
    public synchronized void publish(CheckpointReady event) {
        events.add(event);
    }

    @Override
    public String destination() {
        return "multi-instance-it";
    }

    synchronized List<CheckpointReady> events() {
        return List.copyOf(events);
    }
}
