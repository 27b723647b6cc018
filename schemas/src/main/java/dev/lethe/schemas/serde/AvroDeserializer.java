package dev.lethe.schemas.serde;

import dev.lethe.schemas.registry.SchemaRegistryClient;
import dev.lethe.schemas.registry.SchemaRegistryException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer reading Confluent's wire format into a SpecificRecord: it fetches the writer schema by
 * the id in the bytes and resolves it into the reader class's schema, so records written with a newer
 * compatible schema still decode. The class comes from the constructor or, when Kafka builds it
 * reflectively, from {@code lethe.avro.value.type} / {@code lethe.avro.key.type}. Null stays null;
 * failures are {@link AvroSerdeException}s that say what is wrong. Thread-safe.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    /** A reader for one writer schema id, or why that writer schema cannot be read into the target type. */
    private record Reader<T>(SpecificDatumReader<T> reader, String problem) {
    }

    private volatile Class<T> type;
    private volatile SchemaRegistryClient client;
    private volatile boolean isKey;
    private final ConcurrentMap<Integer, Reader<T>> readers = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction; configure {@code lethe.avro.value.type} and the registry. */
    public AvroDeserializer() {
    }

    public AvroDeserializer(Class<T> type) {
        this.type = type;
    }

    public AvroDeserializer(Class<T> type, SchemaRegistryClient client) {
        this.type = type;
        this.client = client;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        AvroSerdeConfig config = AvroSerdeConfig.from(configs, isKey);
        if (type == null && config.typeName() != null) {
            String key = isKey ? AvroSerdeConfig.KEY_TYPE : AvroSerdeConfig.VALUE_TYPE;
            try {
                Class<?> loaded = Class.forName(config.typeName(), true, classLoader());
                if (!SpecificRecord.class.isAssignableFrom(loaded)) {
                    throw new ConfigException(key, config.typeName(), "not an Avro SpecificRecord class");
                }
                type = (Class<T>) loaded;
            } catch (ClassNotFoundException e) {
                throw new ConfigException(key, config.typeName(), "class not found");
            }
        }
        if (client == null) {
            client = AvroSerdes.sharedClient(configs);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > 0 && data[0] != WireFormat.MAGIC) {
            throw new AvroSerdeException(String.format(
                    "unknown magic byte 0x%02x (not Confluent Avro wire format) on topic %s", data[0] & 0xff, topic));
        }
        if (data.length < WireFormat.HEADER_LENGTH) {
            throw new AvroSerdeException("record of " + data.length + " bytes on topic " + topic
                    + " is too short for Confluent Avro wire format (magic byte, 4-byte schema id, Avro data)");
        }
        SchemaRegistryClient registry = client;
        if (registry == null) {
            throw new AvroSerdeException("AvroDeserializer for topic " + topic
                    + " has no schema registry: pass a client or configure schema.registry.url");
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        Reader<T> reader = readers.get(id);
        if (reader == null) {
            reader = readerFor(id, writerSchema(registry, id, topic), topic);
            readers.putIfAbsent(id, reader);
        }
        if (reader.problem() != null) {
            throw new AvroSerdeException(reader.problem());
        }
        try {
            return reader.reader().read(null, AvroCoders.decoder(
                    data, WireFormat.HEADER_LENGTH, data.length - WireFormat.HEADER_LENGTH));
        } catch (java.io.IOException | RuntimeException e) {
            throw new AvroSerdeException("cannot decode Avro data on topic " + topic + " with writer schema id " + id
                    + " into " + reader.reader().getExpected().getFullName() + ": " + e, e);
        }
    }

    private static Schema writerSchema(SchemaRegistryClient registry, int id, String topic) {
        try {
            return registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            String where = e.location() == null ? registry.location() : e.location();
            if (e.isNotFound()) {
                throw new AvroSerdeException("schema id " + id + " not found in registry " + where
                        + " (record on topic " + topic + ")", e);
            }
            throw new AvroSerdeException("cannot fetch schema id " + id + " from registry " + where
                    + " for a record on topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private Reader<T> readerFor(int id, Schema writer, String topic) {
        Class<T> target = type;
        SpecificData model;
        if (target == null) {
            // no configured type: read into the generated class named by the writer schema, if it is on the classpath
            Class<?> named = SpecificData.get().getClass(writer);
            if (named == null || !SpecificRecord.class.isAssignableFrom(named)) {
                return new Reader<>(null, "no SpecificRecord class configured ("
                        + (isKey ? AvroSerdeConfig.KEY_TYPE : AvroSerdeConfig.VALUE_TYPE)
                        + ") and none named " + writer.getFullName() + " on the classpath (topic " + topic + ")");
            }
            target = (Class<T>) named;
        }
        model = SpecificData.getForClass(target);
        Schema readerSchema = model.getSchema(target);
        SchemaCompatibility.SchemaPairCompatibility check =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return new Reader<>(null, "writer schema id " + id + " (" + writer.getFullName() + ") on topic " + topic
                    + " cannot be read as " + readerSchema.getFullName() + ": "
                    + check.getResult().getIncompatibilities().stream()
                            .map(i -> i.getType() + " at " + i.getLocation() + " " + i.getMessage()).toList());
        }
        return new Reader<>(new SpecificDatumReader<>(writer, readerSchema, model), null);
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : AvroDeserializer.class.getClassLoader();
    }

    @Override
    public void close() {
        // the registry client is shared between serdes; nothing of our own to release
    }
}
