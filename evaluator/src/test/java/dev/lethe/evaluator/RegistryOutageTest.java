package dev.lethe.evaluator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.evaluator.kafka.RegistryOutage;
import dev.lethe.schemas.registry.SchemaRegistryException;
import dev.lethe.schemas.serde.AvroSerdeException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class RegistryOutageTest {

    @Test
    void shouldRetryWhenRegistryIsDownAndDeadLetterWhenBytesAreBad() {
        assertThat(RegistryOutage.isTransient(new AvroSerdeException("cannot fetch",
                new SchemaRegistryException(503, SchemaRegistryException.UNAVAILABLE, "down", "http://r")))).isTrue();
        assertThat(RegistryOutage.isTransient(new AvroSerdeException("cannot fetch",
                new SchemaRegistryException(-1, -1, "refused", "http://r", new ConnectException("refused"))))).isTrue();
        assertThat(RegistryOutage.isTransient(new AvroSerdeException("schema id 9 not found",
                new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "nope", "http://r")))).isFalse();
        assertThat(RegistryOutage.isTransient(new AvroSerdeException("unknown magic byte 0x6e"))).isFalse();
    }
}
