package dev.lethe.aggregator.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.http.HttpLimits;
import dev.lethe.testkit.HttpAttacks;
import org.junit.jupiter.api.Test;

class QueryServerHardeningTest {

    @Test
    void shouldKeepAnsweringWhenSlowClientsHoldConnectionsAndRefuseABodyWith413() throws Exception {
        // issue 14: two partial requests used to stall the endpoint's two threads; no Streams needed to show the HTTP layer
        try (QueryServer query = QueryServer.bind("127.0.0.1", 0); HttpAttacks attacks = new HttpAttacks()) {
            query.start(null, null, "127.0.0.1:" + query.port());

            assertThat(attacks.slowClientsAndHugeBody(query.port(), HttpLimits.defaults().maxConnectionsPerClient(), "/no-such-path", "/families"))
                    .isEqualTo(new HttpAttacks.Outcome(429, 404, 413));
        }
    }
}
