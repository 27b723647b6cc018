package dev.lethe.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * An Avro record could not be serialized or deserialized (bad magic byte, unknown schema id, registry
 * unreachable, bytes that do not decode); the message says which and on what topic, so consumers can put it
 * in a DeadLetter as is.
 */
public class AvroSerdeException extends SerializationException {

    public AvroSerdeException(String message) {
        super(message);
    }

    public AvroSerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
