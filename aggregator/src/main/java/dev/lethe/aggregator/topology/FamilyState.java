package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.FamilyMetrics;
import dev.lethe.schemas.ForgettingMetric;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * The latest CATEGORY records of member runs of one family in one campaign, by (category, stage, model): in the
 * store one value per (category, stage); {@link #mergeByCampaign} joins the slices of a campaign for queries.
 */
public final class FamilyState {

    private static final byte VERSION = 1;

    private final String campaign;
    private final String family;
    private final TreeMap<String, ForgettingMetric> categoryRecords; // key category \0 stage \0 model

    FamilyState(String campaign, String family, TreeMap<String, ForgettingMetric> categoryRecords) {
        this.campaign = campaign;
        this.family = family;
        this.categoryRecords = categoryRecords;
    }

    static FamilyState empty(String campaign, String family) {
        return new FamilyState(campaign, family, new TreeMap<>());
    }

    public String campaign() {
        return campaign;
    }

    public String family() {
        return family;
    }

    /**
     * Stores a run's CATEGORY record and returns the FAMILY record of its (category, stage) when that changed, else
     * null (a run's record that moves no family mean publishes nothing).
     */
    ForgettingMetric update(ForgettingMetric categoryRecord) {
        String prefix = categoryRecord.getCategory() + "\u0000" + String.format("%010d", categoryRecord.getStage()) + "\u0000";
        ForgettingMetric before = family(categoryRecord, prefix);
        categoryRecords.put(prefix + categoryRecord.getModel(), categoryRecord);
        ForgettingMetric after = family(categoryRecord, prefix);
        return after == null || after.equals(before) ? null : after;
    }

    private ForgettingMetric family(ForgettingMetric categoryRecord, String prefix) {
        List<ForgettingMetric> members = new ArrayList<>(categoryRecords.subMap(prefix, prefix + "\uffff").values());
        return members.isEmpty() ? null
                : FamilyMetrics.compute(campaign, family, categoryRecord.getCategory(), categoryRecord.getStage(), members);
    }

    /** Joins slices of the same (family, campaign) into one state each, ordered by family then campaign. */
    public static List<FamilyState> mergeByCampaign(Iterable<FamilyState> slices) {
        TreeMap<String, FamilyState> merged = new TreeMap<>();
        for (FamilyState slice : slices) {
            merged.computeIfAbsent(slice.family + "\u0000" + slice.campaign, k -> empty(slice.campaign, slice.family))
                    .categoryRecords.putAll(slice.categoryRecords);
        }
        return List.copyOf(merged.values());
    }

    /** The member runs' CATEGORY records. */
    public List<ForgettingMetric> categoryRecords() {
        return List.copyOf(categoryRecords.values());
    }

    /** Every FAMILY record of this family and campaign. */
    public List<ForgettingMetric> familyRecords() {
        return FamilyMetrics.computeAll(categoryRecords.values());
    }

    /** Member model runs. */
    public List<String> models() {
        return categoryRecords.values().stream().map(ForgettingMetric::getModel).distinct().sorted().toList();
    }

    static final Serde<FamilyState> SERDE = StateCodec.serde(FamilyState::write, FamilyState::read);

    private static void write(FamilyState state, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        out.writeUTF(state.campaign);
        out.writeUTF(state.family);
        out.writeInt(state.categoryRecords.size());
        for (var entry : state.categoryRecords.entrySet()) {
            out.writeUTF(entry.getKey());
            StateCodec.writeRecord(out, entry.getValue());
        }
    }

    private static FamilyState read(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("unknown family state version " + version);
        }
        String campaign = in.readUTF();
        String family = in.readUTF();
        int count = in.readInt();
        TreeMap<String, ForgettingMetric> records = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            records.put(in.readUTF(), StateCodec.readRecord(in, ForgettingMetric.class));
        }
        return new FamilyState(campaign, family, records);
    }
}
