package dev.lethe.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"lethe\" "
            + "password=\"jaas-secret-1\";";

    @Test
    void shouldPrintAClusterConfigWithoutItsRegistryPasswordOrClientSecrets() {
        ClusterConfig cluster = ClusterConfig.of("broker:9093", "https://registry:8081")
                .withClientOverrides(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", JAAS, "ssl.truststore.password", "store-secret-2",
                        "ssl.keystore.key", "pem-secret-3"))
                .withRegistryUserInfo("lethe:registry-secret-4");

        String shown = cluster.toString();

        assertThat(shown).doesNotContain("jaas-secret-1", "store-secret-2", "pem-secret-3", "registry-secret-4", "ScramLoginModule")
                .contains("broker:9093", "SASL_SSL", "SCRAM-SHA-512", "sasl.jaas.config=" + Secrets.HIDDEN,
                        "registryUserInfo=" + Secrets.HIDDEN);
        assertThat(ClusterConfig.of("b:9092", "http://r:8081").toString()).contains("registryUserInfo=null");
    }

    @Test
    void shouldKnowKafkasPasswordSettingsAndSecretLookingNames() {
        assertThat(Secrets.isSecret("ssl.key.password")).isTrue();
        assertThat(Secrets.isSecret("sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecret("basic.auth.user.info")).isTrue();
        assertThat(Secrets.isSecret("Authorization")).isTrue();
        assertThat(Secrets.isSecret("X-Api-Key")).isTrue();
        assertThat(Secrets.isSecret("security.protocol")).isFalse();
        assertThat(Secrets.isSecret("Content-Type")).isFalse();
    }
}
