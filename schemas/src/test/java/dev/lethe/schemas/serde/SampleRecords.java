package dev.lethe.schemas.serde;

import dev.lethe.schemas.BenchmarkScore;
import dev.lethe.schemas.CheckpointPlan;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.ShardResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds a fully populated instance of any generated record from its schema (every field set, the non-null
 * branch of every union), so a round trip exercises every field of every record type.
 */
public final class SampleRecords {

    /** Every record type Lethe puts on a topic. */
    public static final List<Class<? extends SpecificRecord>> ALL_TYPES = List.of(CheckpointReady.class,
            EvalTask.class, CheckpointPlan.class, ShardResult.class, BenchmarkScore.class, ForgettingMetric.class,
            KnowledgeLossAlert.class, DeadLetter.class);

    private SampleRecords() {
    }

    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T sample(Class<T> type, int seed) {
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        return (T) value(schema, model, seed, schema.getName());
    }

    private static Object value(Schema schema, SpecificData model, int seed, String name) {
        if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
            return Instant.ofEpochMilli(1_700_000_000_000L + seed * 1000L + name.length());
        }
        return switch (schema.getType()) {
            case RECORD -> {
                SpecificRecord record = (SpecificRecord) model.newRecord(null, schema);
                for (Schema.Field field : schema.getFields()) {
                    record.put(field.pos(), value(field.schema(), model, seed + field.pos(), field.name()));
                }
                yield record;
            }
            case UNION -> value(schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL)
                    .findFirst().orElseThrow(), model, seed, name);
            case STRING -> name + "-" + seed;
            case INT -> seed + 3;
            case LONG -> 1_000_000_000_000L + seed;
            case DOUBLE -> seed + 0.25;
            case FLOAT -> seed + 0.5f;
            case BOOLEAN -> seed % 2 == 0;
            case BYTES -> ByteBuffer.wrap((name + seed).getBytes(StandardCharsets.UTF_8));
            case ENUM -> model.createEnum(schema.getEnumSymbols().get(seed % schema.getEnumSymbols().size()), schema);
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("k" + seed, value(schema.getValueType(), model, seed, name));
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                list.add(value(schema.getElementType(), model, seed, name));
                list.add(value(schema.getElementType(), model, seed + 1, name));
                yield list;
            }
            default -> throw new IllegalArgumentException("no sample for " + schema);
        };
    }
}
