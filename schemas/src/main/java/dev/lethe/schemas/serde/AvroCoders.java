package dev.lethe.schemas.serde;

import java.io.OutputStream;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro binary encoders and decoders reused per thread. A new buffered encoder allocates a 2 KB buffer, and encoders and
 * decoders together were a tenth of what the aggregator's stream thread allocated per record (`lethe bench`, JFR
 * allocation samples), so every record serde of Lethe takes its coder here. A coder is valid until the same thread
 * asks for the next one: use it for one record, synchronously, and never keep it.
 */
public final class AvroCoders {

    private static final ThreadLocal<BinaryEncoder> ENCODERS = new ThreadLocal<>();
    private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();

    private AvroCoders() {
    }

    /** A buffered encoder writing to {@code out}: flush it when the record is written. */
    public static BinaryEncoder encoder(OutputStream out) {
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, ENCODERS.get());
        ENCODERS.set(encoder);
        return encoder;
    }

    /** A decoder reading {@code length} bytes of {@code data} from {@code offset}. */
    public static BinaryDecoder decoder(byte[] data, int offset, int length) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, offset, length, DECODERS.get());
        DECODERS.set(decoder);
        return decoder;
    }
}
