package dev.lethe.cli.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokerCommandTest {

    @Test
    void shouldDescribeEveryFlagWhenBrokerHelpIsAsked() {
        CliRun r = CliRun.of("broker", "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--data-dir", "--port", "--registry-port", "--topic-prefix",
                "bootstrap.servers=HOST:PORT", "schema.registry.url=http://HOST:PORT");
    }

    @Test
    void shouldDescribeEveryFlagWhenRegistryHelpIsAsked() {
        CliRun r = CliRun.of("registry", "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--bootstrap-servers", "--host", "--port", "--client-property", "--topic",
                "schema.registry.url=http://HOST:PORT");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "broker,   --port,              -1",
        "broker,   --registry-port,     65536",
        "broker,   --port,              abc",
        "broker,   --broker-heap,       lots",
        "registry, --port,              -5",
        "registry, --bootstrap-servers, nohostport",
        "registry, --require-user-info, nocolon",
    })
    void shouldExitWithUsageNamingTheFlagWhenAValueIsInvalid(String command, String flag, String value) {
        String[] args = command.equals("registry") && !flag.equals("--bootstrap-servers")
                ? new String[] {command, "--bootstrap-servers", "127.0.0.1:1", flag, value}
                : new String[] {command, flag, value};

        CliRun r = CliRun.of(args);

        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(flag);
        assertThat(r.out()).doesNotContain("bootstrap.servers=", "schema.registry.url=");
    }
}
