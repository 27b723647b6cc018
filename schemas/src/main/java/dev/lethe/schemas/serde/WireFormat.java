package dev.lethe.schemas.serde;

/** Confluent's wire format: magic byte 0, a 4-byte big-endian schema id, then Avro binary. */
final class WireFormat {

    static final byte MAGIC = 0x0;
    static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
