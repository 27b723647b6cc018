package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientPropertiesFileTest {

    @TempDir
    Path dir;

    @Test
    void shouldLetClientPropertyFlagsWinWhenTheFileSetsTheSameKey() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                # a Kafka client config as Kafka's tools take it
                security.protocol=SASL_SSL
                sasl.mechanism = SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p=q";
                """);

        Map<String, String> merged = ClientPropertiesFile.merge(file, Map.of("sasl.mechanism", "PLAIN", "acks", "all"));

        assertThat(merged).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("acks", "all")
                .containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p=q\";")
                .hasSize(4);
    }

    @Test
    void shouldReturnTheFlagsAloneWhenNoFileIsGiven() {
        assertThat(ClientPropertiesFile.merge(null, Map.of("acks", "all"))).containsExactly(Map.entry("acks", "all"));
    }

    @Test
    void shouldNameTheFlagWhenTheFileIsMissing() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> ClientPropertiesFile.merge(missing, Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--client-properties-file").hasMessageContaining("no such file");
    }

    @Test
    void shouldRefuseTheFileWhenItIsNotAPropertiesFile() throws Exception {
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "key=\\uZZZZ\n");
        assertThatThrownBy(() -> ClientPropertiesFile.merge(bad, Map.of()))
                .isInstanceOf(UsageException.class).hasMessageContaining("cannot read it as a properties file");
    }
}
