package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.DropOutcome;
import dev.lethe.aggregator.metrics.ElementSeries;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.metrics.StageSlice;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;

/** The binary layout of the three run stores' values (each starts with a version byte). */
final class RunStateCodecs {

    private static final byte VERSION = 4; // 3: cells and records carry the chance level; 4: a stage slice is kept in parts (StoredSlice)

    static final Serde<RunSummary> SUMMARY = StateCodec.serde(RunStateCodecs::writeSummary, RunStateCodecs::readSummary);
    static final Serde<ElementSeries> SERIES = StateCodec.serde(RunStateCodecs::writeSeries, RunStateCodecs::readSeries);
    static final Serde<StageSlice> SLICE = StateCodec.serde(RunStateCodecs::writeSlice, RunStateCodecs::readSlice);

    private RunStateCodecs() {
    }

    private static void version(DataInputStream in, String what) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown " + what + " version " + version);
        }
    }

    private static void writeRun(DataOutputStream out, RunKey run) throws IOException {
        out.writeUTF(run.campaign());
        out.writeUTF(run.family());
        out.writeUTF(run.model());
    }

    private static RunKey readRun(DataInputStream in) throws IOException {
        return new RunKey(in.readUTF(), in.readUTF(), in.readUTF());
    }

    private static void writeSummary(RunSummary summary, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        writeRun(out, summary.run());
        StateCodec.writeString(out, summary.suiteVersion());
        out.writeBoolean(summary.hasBaseline());
        writeInts(out, summary.stages());
        out.writeInt(summary.tasks().size());
        for (var e : summary.tasks().entrySet()) {
            out.writeInt(e.getKey());
            out.writeUTF(e.getValue());
        }
        out.writeInt(summary.diagonal().size());
        for (var e : summary.diagonal().entrySet()) {
            out.writeInt(e.getKey());
            out.writeDouble(e.getValue());
        }
    }

    private static RunSummary readSummary(DataInputStream in) throws IOException {
        version(in, "run summary");
        RunKey run = readRun(in);
        String suiteVersion = StateCodec.readString(in);
        boolean baseline = in.readBoolean();
        TreeSet<Integer> stages = readInts(in);
        TreeMap<Integer, String> tasks = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            tasks.put(in.readInt(), in.readUTF());
        }
        TreeMap<Integer, Double> diagonal = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            diagonal.put(in.readInt(), in.readDouble());
        }
        RunSummary summary = new RunSummary(run, suiteVersion, baseline, stages, tasks, diagonal);
        summary.takeChanged();
        return summary;
    }

    /* An element's series in the store is its header; its stages are entries of their own (CELL). */
    private static void writeSeries(ElementSeries series, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        writeRun(out, series.run());
        out.writeUTF(series.element());
        StateCodec.writeString(out, series.category());
    }

    private static ElementSeries readSeries(DataInputStream in) throws IOException {
        version(in, "element series");
        return new ElementSeries(readRun(in), in.readUTF(), StateCodec.readString(in));
    }

    /**
     * One stage of one element (key campaign/model NUL element NUL stage): its cell with the item bitset, and whether
     * it was planned or refused there. Written only when it changes, so a long series costs nothing per event.
     */
    record StageCell(int stage, ScoreCell cell, boolean planned, boolean refused) implements RunCells.Cell {

        static StageCell of(ElementSeries series, int stage) {
            return new StageCell(stage, series.cells().get(stage), series.planned().contains(stage),
                    series.refused().contains(stage));
        }

        void applyTo(ElementSeries series) {
            if (cell != null) {
                series.put(cell);
            }
            if (planned) {
                series.plan(stage, null);
            }
            if (refused) {
                series.refuse(stage);
            }
        }
    }

    static final Serde<StageCell> CELL = StateCodec.serde(RunStateCodecs::writeCell, RunStateCodecs::readCell);

    private static void writeCell(StageCell value, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        out.writeInt(value.stage());
        out.writeBoolean(value.planned());
        out.writeBoolean(value.refused());
        ScoreCell cell = value.cell();
        out.writeBoolean(cell != null);
        if (cell != null) {
            StateCodec.writeString(out, cell.task());
            out.writeUTF(cell.benchmark());
            out.writeUTF(cell.category());
            out.writeInt(cell.n());
            out.writeInt(cell.correct());
            StateCodec.writeBytes(out, cell.itemBits());
            StateCodec.writeInstant(out, cell.updatedAt());
            out.writeBoolean(cell.chancePct() != null);
            if (cell.chancePct() != null) {
                out.writeDouble(cell.chancePct());
            }
        }
    }

    private static StageCell readCell(DataInputStream in) throws IOException {
        version(in, "stage cell");
        int stage = in.readInt();
        boolean planned = in.readBoolean();
        boolean refused = in.readBoolean();
        ScoreCell cell = in.readBoolean() ? new ScoreCell(stage, StateCodec.readString(in), in.readUTF(), in.readUTF(),
                in.readInt(), in.readInt(), StateCodec.readBytes(in), StateCodec.readInstant(in),
                in.readBoolean() ? in.readDouble() : null) : null;
        return new StageCell(stage, cell, planned, refused);
    }

    private static void writeInts(DataOutputStream out, Collection<Integer> values) throws IOException {
        out.writeInt(values.size());
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static TreeSet<Integer> readInts(DataInputStream in) throws IOException {
        TreeSet<Integer> out = new TreeSet<>();
        for (int i = in.readInt(); i > 0; i--) {
            out.add(in.readInt());
        }
        return out;
    }

    private static void writeSlice(StageSlice slice, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        out.writeInt(slice.stage());
        // every record of a slice is of one run: its names once here, not in each record
        ForgettingMetric any = !slice.entries().isEmpty() ? slice.entries().firstEntry().getValue().record()
                : slice.published().isEmpty() ? null : slice.published().firstEntry().getValue();
        out.writeBoolean(any != null);
        if (any != null) {
            writeRun(out, new RunKey(any.getCampaign(), any.getFamily(), any.getModel()));
        }
        out.writeInt(slice.planned().size());
        for (var e : slice.planned().entrySet()) {
            out.writeUTF(e.getKey());
            StateCodec.writeString(out, e.getValue());
        }
        out.writeInt(slice.refused().size());
        for (String element : slice.refused()) {
            out.writeUTF(element);
        }
        out.writeInt(slice.entries().size());
        for (var e : slice.entries().entrySet()) {
            StageSlice.Entry entry = e.getValue();
            out.writeUTF(e.getKey());
            MetricCodec.write(out, entry.record());
            out.writeBoolean(entry.settled());
            writeDrop(out, entry.drop());
            out.writeBoolean(entry.published());
        }
        out.writeInt(slice.published().size());
        for (var e : slice.published().entrySet()) {
            out.writeUTF(e.getKey());
            MetricCodec.write(out, e.getValue());
        }
        out.writeInt(slice.alerts().size());
        for (KnowledgeLossAlert alert : slice.alerts().values()) {
            StateCodec.writeRecord(out, alert);
        }
    }

    private static StageSlice readSlice(DataInputStream in) throws IOException {
        version(in, "stage slice");
        int stage = in.readInt();
        RunKey run = in.readBoolean() ? readRun(in) : null;
        TreeMap<String, String> planned = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            planned.put(in.readUTF(), StateCodec.readString(in));
        }
        TreeSet<String> refused = new TreeSet<>();
        for (int i = in.readInt(); i > 0; i--) {
            refused.add(in.readUTF());
        }
        TreeMap<String, StageSlice.Entry> entries = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            String element = in.readUTF();
            entries.put(element, new StageSlice.Entry(MetricCodec.read(in, run), in.readBoolean(), readDrop(in),
                    in.readBoolean()));
        }
        TreeMap<String, ForgettingMetric> published = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            published.put(in.readUTF(), MetricCodec.read(in, run));
        }
        TreeMap<String, KnowledgeLossAlert> alerts = new TreeMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            KnowledgeLossAlert alert = StateCodec.readRecord(in, KnowledgeLossAlert.class);
            alerts.put(alert.getAlertId(), alert);
        }
        return new StageSlice(stage, planned, refused, entries, published, alerts);
    }

    private static void writeDrop(DataOutputStream out, DropOutcome drop) throws IOException {
        out.writeBoolean(drop != null);
        if (drop == null) {
            return;
        }
        out.writeInt(drop.previousStage());
        out.writeBoolean(drop.pending());
        out.writeInt(drop.previousCorrect());
        out.writeInt(drop.previousN());
        out.writeInt(drop.correct());
        out.writeInt(drop.n());
        out.writeByte(drop.rule().ordinal());
        out.writeDouble(drop.pValue());
        out.writeInt(drop.b() == null ? -1 : drop.b());
        out.writeInt(drop.c() == null ? -1 : drop.c());
        out.writeLong(drop.createdAt() == null ? Long.MIN_VALUE : drop.createdAt().toEpochMilli()); // null while pending
    }

    private static DropOutcome readDrop(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        int previousStage = in.readInt();
        boolean pending = in.readBoolean();
        int previousCorrect = in.readInt();
        int previousN = in.readInt();
        int correct = in.readInt();
        int n = in.readInt();
        AlertRule rule = AlertRule.values()[in.readByte()];
        double p = in.readDouble();
        int b = in.readInt();
        int c = in.readInt();
        long createdAt = in.readLong();
        return new DropOutcome(previousStage, pending, previousCorrect, previousN, correct, n, rule, p,
                b < 0 ? null : b, c < 0 ? null : c, createdAt == Long.MIN_VALUE ? null : Instant.ofEpochMilli(createdAt));
    }
}
