package dev.lethe.producer;

/**
 * Where a published {@link dev.lethe.schemas.CheckpointReady} landed.
 *
 * @param topic        topic name (prefix included)
 * @param partition    partition of the key campaign/model
 * @param offset       offset of the record
 * @param key          record key, {@code campaign/model}
 * @param checkpointId the event's checkpointId, {@code campaign/model/stage}
 */
public record PublishReceipt(String topic, int partition, long offset, String key, String checkpointId) {
}
