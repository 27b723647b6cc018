package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.MetricScope;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A ForgettingMetric in the run stores, field by field. A stage slice holds dozens of records and every event reads
 * and writes one; Avro's generic record machinery cost most of the aggregator's time on them (lethe bench profile),
 * this costs a few primitive reads. The field list is the schema's: a field added to ForgettingMetric breaks the
 * all-arguments constructor call below at compile time, so it cannot be forgotten here.
 */
final class MetricCodec {

    private static final MetricScope[] SCOPES = MetricScope.values();

    private MetricCodec() {
    }

    /** A record of {@code run}, without the run's three names (the slice header carries them once). */
    static void write(DataOutputStream out, ForgettingMetric m) throws IOException {
        out.writeInt(m.getStage());
        StateCodec.writeString(out, m.getTask());
        out.writeByte(m.getScope().ordinal());
        StateCodec.writeString(out, m.getCategory());
        StateCodec.writeString(out, m.getBenchmark());
        writeDouble(out, m.getBaselineScore());
        writeDouble(out, m.getScore());
        writeDouble(out, m.getFgPct());
        writeDouble(out, m.getFinalDropPct());
        writeDouble(out, m.getMaxForgettingPp());
        writeDouble(out, m.getDeltaPrevPp());
        writeDouble(out, m.getStderrPp());
        writeInt(out, m.getN());
        writeInt(out, m.getStagesCovered());
        writeInt(out, m.getElementsCovered());
        writeDouble(out, m.getAccPct());
        writeDouble(out, m.getBwtPp());
        writeDouble(out, m.getAvgForgettingPp());
        writeInt(out, m.getModels());
        StateCodec.writeInstant(out, m.getUpdatedAt());
        writeDouble(out, m.getChancePct());
        writeDouble(out, m.getChanceNormalisedFgPct());
        writeDouble(out, m.getChancePValue());
    }

    static ForgettingMetric read(DataInputStream in, RunKey run) throws IOException {
        return new ForgettingMetric(run.campaign(), run.family(), run.model(), in.readInt(),
                StateCodec.readString(in), SCOPES[in.readByte()], StateCodec.readString(in), StateCodec.readString(in),
                readDouble(in), readDouble(in), readDouble(in), readDouble(in), readDouble(in), readDouble(in),
                readDouble(in), readInt(in), readInt(in), readInt(in), readDouble(in), readDouble(in), readDouble(in),
                readInt(in), StateCodec.readInstant(in), readDouble(in), readDouble(in), readDouble(in));
    }

    private static void writeDouble(DataOutputStream out, Double value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeDouble(value);
        }
    }

    private static Double readDouble(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readDouble() : null;
    }

    private static void writeInt(DataOutputStream out, Integer value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeInt(value);
        }
    }

    private static Integer readInt(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readInt() : null;
    }
}
