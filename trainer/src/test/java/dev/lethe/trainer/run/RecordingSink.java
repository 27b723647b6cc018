package dev.lethe.trainer.run;

import dev.lethe.schemas.CheckpointReady;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A test sink keeping every event; optionally fails (like an unreachable broker) from the n-th publish on. */
final class RecordingSink implements CheckpointSink {

    final List<CheckpointReady> events = new ArrayList<>();
    private final int failFrom;
    private final String destination;

    RecordingSink() {
        this(Integer.MAX_VALUE);
    }

    RecordingSink(int failFrom) {
        this(failFrom, "default");
    }

    RecordingSink(int failFrom, String destination) {
        this.failFrom = failFrom;
        this.destination = destination;
    }

    @Override
    public String destination() {
        return destination;
    }

    @Override
    public void publish(CheckpointReady event) throws IOException {
        if (events.size() + 1 >= failFrom) {
            throw new IOException("broker unreachable (test)");
        }
        events.add(event);
    }
}
