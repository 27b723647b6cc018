package dev.lethe.cli.badinput;

import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.ShardResult;
import dev.lethe.schemas.ShardStatus;
import dev.lethe.schemas.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** What a careless or hostile producer sends, built by hand so the tests say exactly which bytes arrive. */
final class HostileInputs {

    static final String SHA = "ab".repeat(32);

    private HostileInputs() {
    }

    /** The protocol attributes of a valid digits-cl campaign. */
    static Map<String, String> attributes() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("dataset", "digits");
        a.put("protocol", "permuted");
        a.put("seed", "5");
        a.put("stages", "2");
        return a;
    }

    /** A valid stage-0 event of {@code campaign/model} on the digits-cl suite. */
    static CheckpointReady checkpoint(String campaign, String model) {
        return CheckpointReady.newBuilder()
                .setCheckpointId(campaign + "/" + model + "/0").setCampaign(campaign).setFamily("mlp").setModel(model)
                .setStage(0).setTask(null).setCheckpointUri("file:/tmp/lethe-badinput/" + model + ".zip")
                .setCheckpointSha256(SHA).setFormat(CheckpointFormat.DL4J_MULTILAYER).setSuite("digits-cl")
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).setAttributes(attributes()).build();
    }

    /**
     * Confluent wire bytes of {@code event} written with a NEWER schema of CheckpointReady: one extra optional
     * field {@code note} (default null), registered under the topic's subject first, as a producer a release
     * ahead of this Lethe would write it.
     */
    static byte[] withNewerSchema(CheckpointReady event, String note, SchemaRegistryClient registry, String topic) {
        Schema v1 = CheckpointReady.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : v1.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        Schema optionalString = Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING));
        fields.add(new Schema.Field("note", optionalString, "A field added by a newer release.", JsonProperties.NULL_VALUE));
        Schema v2 = Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
        int id = registry.register(topic + "-value", v2);

        GenericRecord record = new GenericData.Record(v2);
        for (Schema.Field f : v1.getFields()) {
            Object value = event.get(f.pos());
            if (value instanceof Instant t) {
                value = t.toEpochMilli();
            } else if (value instanceof Enum<?> e) {
                value = new GenericData.EnumSymbol(f.schema(), e.name());
            }
            record.put(f.name(), value);
        }
        record.put("note", note);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(v2).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CheckpointReady plus a REQUIRED field without default: old records could not be read with it. */
    static Schema incompatible() {
        Schema v1 = CheckpointReady.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : v1.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("owner", Schema.create(Schema.Type.STRING), "Required, no default.", (Object) null));
        return Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
    }

    /** Shard {@code index} of a 2-shard element of 8 items (4 per shard), items right where {@code right} says. */
    static ShardResult shard(String checkpointId, String benchmark, int index, boolean... right) {
        String[] parts = checkpointId.split("/");
        byte bits = 0;
        int correct = 0;
        for (int i = 0; i < right.length; i++) {
            if (right[i]) {
                bits |= (byte) (1 << i);
                correct++;
            }
        }
        return ShardResult.newBuilder()
                .setTaskId(checkpointId + "/" + benchmark + "/" + index).setCheckpointId(checkpointId)
                .setCampaign(parts[0]).setFamily("mlp").setModel(parts[1]).setStage(Integer.parseInt(parts[2])).setTask(null)
                .setSuite("digits-cl").setSuiteVersion("v1").setBenchmark(benchmark).setCategory("clean")
                .setShardIndex(index).setShardCount(2).setItemStart(4 * index).setItemEnd(4 * index + 4)
                .setN(4).setCorrect(correct).setItemBits(ByteBuffer.wrap(new byte[] {bits}))
                .setLogLikelihoodSum(null).setScorer("hand").setEvaluatorId("hostile").setDurationMs(1)
                .setStatus(ShardStatus.OK).setCheckpointCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    }
}
