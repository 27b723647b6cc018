package dev.lethe.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerMainTest {

    @Test
    void shouldRoundTripEveryOptionWhenParsedFromItsOwnArguments() {
        BrokerMain.Options options = new BrokerMain.Options("127.0.0.1", 9092, 9093, 8081, false, Path.of("/tmp/x"), "p.", false);

        assertThat(BrokerMain.Options.parse(options.toArgs().toArray(String[]::new))).isEqualTo(options);
    }

    @Test
    void shouldRoundTripAClusterNodeAndTakeItsAddressFromTheNodeListWhenGivenANodeId() {
        List<QuorumMember.Node> nodes = List.of(new QuorumMember.Node(1, "127.0.0.1", 9092, 9192),
                new QuorumMember.Node(2, "127.0.0.1", 9093, 9193), new QuorumMember.Node(3, "127.0.0.1", 9094, 9194));
        BrokerMain.Options options = BrokerMain.Options.defaults().withRegistry(false)
                .withQuorum(new QuorumMember(2, nodes, "MkU3OEVBNTcwNTJENDM2Qg"));

        BrokerMain.Options parsed = BrokerMain.Options.parse(options.toArgs().toArray(String[]::new));

        assertThat(parsed).isEqualTo(options);
        assertThat(parsed.port()).isEqualTo(9093);
        assertThat(parsed.quorum().voters()).isEqualTo("1@127.0.0.1:9192,2@127.0.0.1:9193,3@127.0.0.1:9194");
        assertThatThrownBy(() -> BrokerMain.Options.parse("--node-id", "4", "--cluster-nodes", "1@h:1:2", "--cluster-id", "x"))
                .hasMessageContaining("node id 4 is not one of the cluster's nodes");
        assertThatThrownBy(() -> BrokerMain.Options.parse("--node-id", "1"))
                .hasMessage("--node-id, --cluster-nodes and --cluster-id go together");
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
