package dev.lethe.schemas.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.registry.SchemaRegistryException;
import dev.lethe.schemas.serde.AvroSerdeException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TransientFailureTest {

    @Test
    void shouldRetryWhenTheRegistryIsDownSlowThrottledOrRefusesTheCredentials() {
        for (int status : new int[] {500, 502, 503, 408, 429, 401, 403}) {
            assertThat(TransientFailure.isTransient(decodeFailure(new SchemaRegistryException(status, status * 100, "x", "http://r"))))
                    .as("registry " + status).isTrue();
        }
        assertThat(TransientFailure.isTransient(decodeFailure(
                new SchemaRegistryException(503, SchemaRegistryException.UNAVAILABLE, "down", "http://r", new ConnectException("refused")))))
                .isTrue();
        assertThat(TransientFailure.isTransient(new AvroSerdeException("cannot fetch", new ConnectException("refused")))).isTrue();
        assertThat(TransientFailure.isTransient(new AvroSerdeException("cannot fetch", new HttpTimeoutException("slow")))).isTrue();
    }

    @Test
    void shouldRetryWhenTheBrokerFailureIsRetriable() {
        assertThat(TransientFailure.isTransient(new NotEnoughReplicasException("1 of 2 in sync"))).isTrue();
        assertThat(TransientFailure.isTransient(new org.apache.kafka.common.errors.TimeoutException("metadata"))).isTrue();
        assertThat(TransientFailure.isTransient(new RecordTooLargeException("2 MB"))).isFalse();
    }

    @Test
    void shouldBePermanentWhenTheRecordItselfIsAtFault() {
        assertThat(TransientFailure.isTransient(decodeFailure(
                new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "no id 9", "http://r")))).isFalse();
        assertThat(TransientFailure.isTransient(decodeFailure(
                new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA, "bad", "http://r")))).isFalse();
        assertThat(TransientFailure.isTransient(new AvroSerdeException("unknown magic byte 0x6e"))).isFalse();
        assertThat(TransientFailure.isTransient(new SerializationException("truncated"))).isFalse();
        assertThat(TransientFailure.isTransient(null)).isFalse();
    }

    private static RuntimeException decodeFailure(SchemaRegistryException cause) {
        return new AvroSerdeException("cannot fetch schema", cause);
    }
}
