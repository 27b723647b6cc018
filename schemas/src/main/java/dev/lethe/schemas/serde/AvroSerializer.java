package dev.lethe.schemas.serde;

import dev.lethe.schemas.registry.RegisteredSchema;
import dev.lethe.schemas.registry.SchemaRegistryClient;
import dev.lethe.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing a SpecificRecord in Confluent's wire format (0x00, 4-byte big-endian schema id,
 * Avro binary) under the TopicNameStrategy subject {@code <topic>-value} / {@code <topic>-key}; null stays
 * null (tombstones). Thread-safe; build it with a registry client, or let Kafka build it reflectively and
 * configure it with {@code schema.registry.url} and friends.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private volatile SchemaRegistryClient client;
    private volatile boolean isKey;
    private volatile AvroSerdeConfig config = new AvroSerdeConfig(true, false, null);
    private final ConcurrentMap<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    /** Latest schema per subject for use.latest.version, fetched once per serializer (like Confluent's default). */
    private final ConcurrentMap<String, RegisteredSchema> latest = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction; {@link #configure} then creates the registry client. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        this.config = AvroSerdeConfig.from(configs, isKey);
        if (client == null) {
            client = AvroSerdes.sharedClient(configs);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient registry = client;
        if (registry == null) {
            throw new AvroSerdeException("AvroSerializer for topic " + topic
                    + " has no schema registry: pass a client or configure schema.registry.url");
        }
        String subject = WireFormat.subject(topic, isKey);
        Schema schema = data.getSchema();
        try {
            if (config.useLatestVersion()) {
                RegisteredSchema target = latest.computeIfAbsent(subject, registry::latest);
                return target.schema().equals(schema) ? encode(target.id(), data, schema)
                        : reencode(data, schema, target, topic);
            }
            int id = config.autoRegister() ? registry.register(subject, schema) : registry.lookup(subject, schema).id();
            return encode(id, data, schema);
        } catch (SchemaRegistryException e) {
            throw new AvroSerdeException("cannot get a schema id for subject " + subject + " (topic " + topic
                    + ", record " + schema.getFullName() + ") from registry " + e.location() + " (HTTP " + e.httpStatus()
                    + ", error_code " + e.errorCode() + "): " + e.getMessage(), e);
        }
    }

    /** The record in the wire format, under schema id {@code id}: its own schema's. */
    private byte[] encode(int id, Object data, Schema schema) {
        DatumWriter<Object> writer = writers.computeIfAbsent(schema,
                s -> new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass())));
        return write(id, writer, data, schema);
    }

    /** use.latest.version with a schema other than the record's: resolve the record into the latest schema by field name. */
    private byte[] reencode(T data, Schema own, RegisteredSchema target, String topic) {
        SchemaCompatibility.SchemaPairCompatibility check =
                SchemaCompatibility.checkReaderWriterCompatibility(target.schema(), own);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new AvroSerdeException("use.latest.version: the latest schema id " + target.id() + " of subject "
                    + target.subject() + " (topic " + topic + ") cannot represent a " + own.getFullName()
                    + ": " + check.getDescription());
        }
        byte[] ownBytes = encode(0, data, own);
        try {
            Object resolved = new GenericDatumReader<>(own, target.schema(), GenericData.get())
                    .read(null, AvroCoders.decoder(ownBytes, WireFormat.HEADER_LENGTH, ownBytes.length - WireFormat.HEADER_LENGTH));
            return write(target.id(), new GenericDatumWriter<>(target.schema(), GenericData.get()), resolved, target.schema());
        } catch (IOException e) {
            throw new AvroSerdeException("cannot rewrite " + own.getFullName() + " with the latest schema of "
                    + target.subject() + ": " + e.getMessage(), e);
        }
    }

    /** Magic byte, schema id, Avro binary: written once into one buffer. */
    private static byte[] write(int id, DatumWriter<Object> writer, Object data, Schema schema) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(WireFormat.MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        BinaryEncoder encoder = AvroCoders.encoder(out);
        try {
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new AvroSerdeException("cannot encode " + schema.getFullName() + " as Avro: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        // the registry client is shared between serdes; nothing of our own to release
    }
}
