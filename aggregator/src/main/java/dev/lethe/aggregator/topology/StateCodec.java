package dev.lethe.aggregator.topology;

import dev.lethe.schemas.serde.AvroCoders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Binary encoding of the aggregator's own state-store values (versioned, no registry: the stores and their
 * changelogs are private to one application id).
 */
final class StateCodec {

    /*
     * One reader and one writer per record class, reused: a new SpecificDatumReader resolves the writer schema
     * against the reader schema on first use, and doing that per record was 43 % of the Streams thread's CPU
     * (BENCHMARKS.md, JFR profile). Both are safe to share: the writer is stateless, and the reader keeps its
     * resolution per thread.
     */
    private static final ClassValue<SpecificDatumWriter<?>> WRITERS = new ClassValue<>() {
        @Override
        protected SpecificDatumWriter<?> computeValue(Class<?> type) {
            return new SpecificDatumWriter<>(type);
        }
    };
    private static final ClassValue<SpecificDatumReader<?>> READERS = new ClassValue<>() {
        @Override
        protected SpecificDatumReader<?> computeValue(Class<?> type) {
            return new SpecificDatumReader<>(type);
        }
    };

    private StateCodec() {
    }

    interface Writer<T> {
        void write(T value, DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static <T> Serde<T> serde(Writer<T> writer, Reader<T> reader) {
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                writer.write(value, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }, (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                return reader.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static void writeString(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    static String readString(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
            out.write(value);
        }
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] value = new byte[length];
        in.readFully(value);
        return value;
    }

    static void writeInstant(DataOutputStream out, Instant value) throws IOException {
        out.writeLong(value.toEpochMilli());
    }

    static Instant readInstant(DataInputStream in) throws IOException {
        return Instant.ofEpochMilli(in.readLong());
    }

    /** Plain Avro binary of a generated record (the schema is the code's own). */
    static <T extends SpecificRecord> void writeRecord(DataOutputStream out, T record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = AvroCoders.encoder(bytes);
        @SuppressWarnings("unchecked")
        SpecificDatumWriter<T> writer = (SpecificDatumWriter<T>) WRITERS.get(record.getClass());
        writer.write(record, encoder);
        encoder.flush();
        writeBytes(out, bytes.toByteArray());
    }

    static <T extends SpecificRecord> T readRecord(DataInputStream in, Class<T> type) throws IOException {
        byte[] bytes = readBytes(in);
        BinaryDecoder decoder = AvroCoders.decoder(bytes, 0, bytes.length);
        @SuppressWarnings("unchecked")
        SpecificDatumReader<T> reader = (SpecificDatumReader<T>) READERS.get(type);
        return reader.read(null, decoder);
    }
}
