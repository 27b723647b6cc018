package dev.lethe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BrokerMainTest {

    @Test
    void shouldRoundTripEveryOptionWhenParsedFromItsOwnArguments() {
        BrokerMain.Options options = new BrokerMain.Options("127.0.0.1", 9092, 9093, 8081, false, Path.of("/tmp/x"), "p.", false);

        assertThat(BrokerMain.Options.parse(options.toArgs().toArray(String[]::new))).isEqualTo(options);
    }

    @Test
    void shouldDefaultToRandomPortsWithRegistryAndWatchdogWhenGivenNoArguments() {
        BrokerMain.Options options = BrokerMain.Options.parse();

        assertThat(options).isEqualTo(new BrokerMain.Options("127.0.0.1", 0, 0, 0, true, null, null, true));
    }

    @Test
    void shouldNameTheFlagWhenAPortIsInvalid() {
        assertThatThrownBy(() -> BrokerMain.Options.parse("--registry-port", "70000"))
                .hasMessageStartingWith("--registry-port must be a port");
        assertThatThrownBy(() -> BrokerMain.Options.parse("--port"))
                .hasMessage("--port needs a value");
        assertThatThrownBy(() -> BrokerMain.Options.parse("--bogus"))
                .hasMessage("unknown option --bogus");
    }

    @Test
    void shouldNameTheFlagWhenAPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> BrokerMain.checkFree("127.0.0.1", taken.getLocalPort(), "--port"))
                    .hasMessageStartingWith("--port: port " + taken.getLocalPort() + " on 127.0.0.1 is not free");
        }
    }
}
