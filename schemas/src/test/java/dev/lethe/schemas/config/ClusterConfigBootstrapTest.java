package dev.lethe.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClusterConfigBootstrapTest {

    @Test
    void shouldAcceptABracketedIpv6BootstrapAddressAsKafkaDoes() {
        ClusterConfig cluster = ClusterConfig.of("[::1]:9092,127.0.0.1:9093,broker-2.example:9094", "http://[::1]:8081");

        assertThat(cluster.bootstrapServers()).startsWith("[::1]:9092");
        assertThat(ClusterConfig.isHostPort("[::1]:9092")).isTrue();
        assertThat(ClusterConfig.isHostPort("[fe80::1%eth0]:9092")).isTrue();
    }

    @Test
    void shouldRefuseAnAddressWithoutAUsablePort() {
        for (String bad : new String[] {"localhost", "localhost:", "host:port", "host:70000", "host:99999999999", "ho st:9092", ":9092"}) {
            assertThat(ClusterConfig.isHostPort(bad)).as(bad).isFalse();
        }
        assertThatThrownBy(() -> ClusterConfig.of("localhost", "http://127.0.0.1:8081"))
                .hasMessageContaining("bootstrap.servers (--bootstrap-servers) must be host:port");
    }
}
