package dev.lethe.schemas.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one JSON shape of Lethe records: Avro field names, numbers as JSON numbers, enums as strings,
 * timestamps as ISO-8601 strings, bytes as base64, nulls kept. Used by {@code lethe metrics}, the JSON
 * Lines sink and the query endpoint, so all three print the same thing.
 */
public final class RecordJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RecordJson() {
    }

    public static ObjectNode toNode(SpecificRecord record) {
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            put(node, field.name(), record.get(field.pos()));
        }
        return node;
    }

    /** One compact JSON object, no trailing newline. */
    public static String toJson(SpecificRecord record) {
        try {
            return MAPPER.writeValueAsString(toNode(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + record.getSchema().getFullName() + " as JSON", e);
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static void put(ObjectNode node, String name, Object value) {
        if (value == null) {
            node.putNull(name);
        } else if (value instanceof Integer i) {
            node.put(name, i);
        } else if (value instanceof Long l) {
            node.put(name, l);
        } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                node.putNull(name);
            } else {
                node.put(name, d);
            }
        } else if (value instanceof Float f) {
            node.put(name, f);
        } else if (value instanceof Boolean b) {
            node.put(name, b);
        } else if (value instanceof Instant t) {
            node.put(name, t.toString());
        } else if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            node.put(name, Base64.getEncoder().encodeToString(bytes));
        } else if (value instanceof SpecificRecord nested) {
            node.set(name, toNode(nested));
        } else if (value instanceof Map<?, ?> map) {
            ObjectNode child = node.putObject(name);
            map.forEach((k, v) -> put(child, String.valueOf(k), v));
        } else {
            node.put(name, value.toString());
        }
    }
}
