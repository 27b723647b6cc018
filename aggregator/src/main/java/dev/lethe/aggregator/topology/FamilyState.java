package dev.lethe.aggregator.topology;

import dev.lethe.aggregator.metrics.FamilyMetrics;
import dev.lethe.schemas.ForgettingMetric;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * The latest CATEGORY records of member runs of one family in one campaign, by (category, stage, model): in the
 * store one value per (category, stage); {@link #mergeByCampaign} joins the slices of a campaign for queries.
 */
public final class FamilyState {

    private static final byte VERSION = 2; // 2: the FAMILY record last published

    private final String campaign;
    private final String family;
    private final TreeMap<String, ForgettingMetric> categoryRecords; // key category \0 stage \0 model
    /** In a store value (one category and stage): the FAMILY record last published from it, null before the first. */
    private ForgettingMetric published;

    FamilyState(String campaign, String family, TreeMap<String, ForgettingMetric> categoryRecords, ForgettingMetric published) {
        this.campaign = campaign;
        this.family = family;
        this.categoryRecords = categoryRecords;
        this.published = published;
    }

    static FamilyState empty(String campaign, String family) {
        return new FamilyState(campaign, family, new TreeMap<>(), null);
    }

    public String campaign() {
        return campaign;
    }

    public String family() {
        return family;
    }

    /** Stores a member run's CATEGORY record (of this value's category and stage), replacing the run's earlier one. */
    void add(ForgettingMetric categoryRecord) {
        categoryRecords.put(prefix(categoryRecord.getCategory(), categoryRecord.getStage()) + categoryRecord.getModel(),
                categoryRecord);
    }

    /**
     * The FAMILY record of this value's category and stage when it differs from the one last published, else null
     * (member records that move no family mean publish nothing).
     */
    ForgettingMetric unpublished() {
        if (categoryRecords.isEmpty()) {
            return null;
        }
        ForgettingMetric any = categoryRecords.firstEntry().getValue();
        ForgettingMetric now = FamilyMetrics.compute(campaign, family, any.getCategory(), any.getStage(),
                List.copyOf(categoryRecords.values()));
        return now == null || now.equals(published) ? null : now;
    }

    void markPublished(ForgettingMetric familyRecord) {
        this.published = familyRecord;
    }

    private static String prefix(String category, int stage) {
        return category + "\u0000" + StageKeys.padded(stage) + "\u0000";
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
        out.writeBoolean(state.published != null);
        if (state.published != null) {
            StateCodec.writeRecord(out, state.published);
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
        ForgettingMetric published = in.readBoolean() ? StateCodec.readRecord(in, ForgettingMetric.class) : null;
        return new FamilyState(campaign, family, records, published);
    }
}
