package dev.lethe.evaluator.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SerialFilterGuardTest {

    @Test
    void shouldRejectEveryDeserializedClassOnceInstalled() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(List.of("gadget")));
        }

        SerialFilterGuard.install();

        assertThat(SerialFilterGuard.install()).isSameAs(SerialFilterGuard.install()); // idempotent
        assertThatThrownBy(() -> {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                in.readObject();
            }
        }).isInstanceOf(InvalidClassException.class).hasMessageContaining("REJECTED");
    }
}
