package dev.lethe.aggregator.topology;

import dev.lethe.schemas.BenchmarkScore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.serialization.Serde;

/**
 * What the run aggregator learns about a model run (key campaign/model): a complete benchmark score, an element the
 * planner announced at a stage (so its score is awaited), or an element whose score was refused (so it is not).
 * Scores, refused shards and the planner's plans come from the run's own task; the workers' refusals of the planner's
 * tasks cross the internal repartition topic {@value AggregatorTopology#ANNOUNCEMENTS_BY_RUN}.
 */
sealed interface RunEvent {

    String campaign();

    String model();

    /** A benchmark score, assembled from its shards. */
    record Scored(BenchmarkScore score) implements RunEvent {
        @Override
        public String campaign() {
            return score.getCampaign();
        }

        @Override
        public String model() {
            return score.getModel();
        }
    }

    /**
     * An element's score at a stage is awaited (from the planner's EvalTask, shard 0) or was refused (from a
     * DeadLetter of lethe.eval-tasks-dlq, or a shard the assembler could not count).
     *
     * @param fromPlanner the names come from the planner's own EvalTask, so they may create the run; a refused shard's
     *                    names are the shard's and only stop the wait in a run already known under them
     */
    record Announced(boolean refused, boolean fromPlanner, String campaign, String family, String model, int stage,
                     String element, String category, String suiteVersion) implements RunEvent {
    }

    byte SCORED = 1;
    byte PLANNED = 2;
    byte REFUSED = 3;

    /** Versionless binary (an internal topic of one application id); scores as Avro binary, no registry. */
    Serde<RunEvent> SERDE = StateCodec.serde(RunEvent::write, RunEvent::read);

    private static void write(RunEvent event, DataOutputStream out) throws IOException {
        if (event instanceof Scored scored) {
            out.writeByte(SCORED);
            StateCodec.writeRecord(out, scored.score());
        } else if (event instanceof Announced a) {
            out.writeByte(a.refused() ? REFUSED : PLANNED);
            out.writeBoolean(a.fromPlanner());
            out.writeUTF(a.campaign());
            out.writeUTF(a.family());
            out.writeUTF(a.model());
            out.writeInt(a.stage());
            out.writeUTF(a.element());
            out.writeUTF(a.category());
            out.writeUTF(a.suiteVersion());
        }
    }

    private static RunEvent read(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case SCORED -> new Scored(StateCodec.readRecord(in, BenchmarkScore.class));
            case PLANNED, REFUSED -> new Announced(tag == REFUSED, in.readBoolean(), in.readUTF(), in.readUTF(),
                    in.readUTF(), in.readInt(), in.readUTF(), in.readUTF(), in.readUTF());
            default -> throw new IOException("unknown run event tag " + tag);
        };
    }
}
