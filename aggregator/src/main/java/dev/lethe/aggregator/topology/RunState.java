package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.metrics.ScoreMatrix;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * The state of one model run: its stage x benchmark matrix, the suite version every score must share, and the
 * alerts already published (so an unchanged alert is not published again).
 */
public final class RunState {

    private static final byte VERSION = 1;

    private final ScoreMatrix matrix;
    private final String suiteVersion;
    private final TreeMap<String, KnowledgeLossAlert> alerts;

    RunState(ScoreMatrix matrix, String suiteVersion, TreeMap<String, KnowledgeLossAlert> alerts) {
        this.matrix = matrix;
        this.suiteVersion = suiteVersion;
        this.alerts = alerts;
    }

    public ScoreMatrix matrix() {
        return matrix;
    }

    public String suiteVersion() {
        return suiteVersion;
    }

    /** The alerts raised so far by alertId. */
    public Map<String, KnowledgeLossAlert> alerts() {
        return alerts;
    }

    static final Serde<RunState> SERDE = StateCodec.serde(RunState::write, RunState::read);

    /**
     * Bytes the run-states store holds for a model run with this matrix and no alerts (the value; the key
     * {@code campaign/model} comes on top): the figure {@code aggregator_state_bytes_per_model_run} reports.
     */
    public static int serializedBytes(ScoreMatrix matrix, String suiteVersion) {
        return SERDE.serializer().serialize(null, new RunState(matrix, suiteVersion, new TreeMap<>())).length;
    }

    private static void write(RunState state, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        RunKey run = state.matrix.run();
        out.writeUTF(run.campaign());
        out.writeUTF(run.family());
        out.writeUTF(run.model());
        out.writeUTF(state.suiteVersion);
        out.writeInt(state.matrix.size());
        for (ScoreCell cell : state.matrix.cells()) {
            out.writeInt(cell.stage());
            StateCodec.writeString(out, cell.task());
            out.writeUTF(cell.benchmark());
            out.writeUTF(cell.category());
            out.writeInt(cell.n());
            out.writeInt(cell.correct());
            StateCodec.writeBytes(out, cell.itemBits());
            StateCodec.writeInstant(out, cell.updatedAt());
        }
        out.writeInt(state.alerts.size());
        for (KnowledgeLossAlert alert : state.alerts.values()) {
            StateCodec.writeRecord(out, alert);
        }
    }

    private static RunState read(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown run state version " + version);
        }
        ScoreMatrix matrix = new ScoreMatrix(new RunKey(in.readUTF(), in.readUTF(), in.readUTF()));
        String suiteVersion = in.readUTF();
        int cells = in.readInt();
        for (int i = 0; i < cells; i++) {
            matrix.put(new ScoreCell(in.readInt(), StateCodec.readString(in), in.readUTF(), in.readUTF(), in.readInt(),
                    in.readInt(), StateCodec.readBytes(in), StateCodec.readInstant(in)));
        }
        int alertCount = in.readInt();
        TreeMap<String, KnowledgeLossAlert> alerts = new TreeMap<>();
        for (int i = 0; i < alertCount; i++) {
            KnowledgeLossAlert alert = StateCodec.readRecord(in, KnowledgeLossAlert.class);
            alerts.put(alert.getAlertId(), alert);
        }
        return new RunState(matrix, suiteVersion, alerts);
    }
}
