package dev.lethe.evaluator.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.CheckpointReady;
import org.junit.jupiter.api.Test;

class CheckpointIdentitiesTest {

    private final CheckpointIdentities identities = new CheckpointIdentities();

    private static CheckpointReady event(String sha) {
        return ShardPlannerTest.event(b -> b.setCheckpointSha256(sha).setCheckpointUri("file:/ckpt/" + sha.substring(0, 4) + ".zip"));
    }

    @Test
    void shouldRefuseAnotherSha256ForAKnownIdAndAcceptTheSameOneWhenRepublished() {
        identities.planned(event("ab".repeat(32)));
        identities.commit();

        assertThat(identities.conflict(event("AB".repeat(32)))).isNull(); // the same bytes: a harmless republish
        assertThat(identities.conflict(event("cd".repeat(32))))
                .contains("c1/mlp-a/2 was published with sha256 " + "ab".repeat(32))
                .contains("this event names sha256 " + "cd".repeat(32));
    }

    @Test
    void shouldKeepTheFirstSha256WhenTwoEventsOfOneIdArriveInOneBatch() {
        identities.planned(event("ab".repeat(32)));

        assertThat(identities.conflict(event("cd".repeat(32)))).isNotNull();
        identities.planned(event("cd".repeat(32))); // never called after a conflict, and harmless if it were
        identities.commit();
        assertThat(identities.conflict(event("ab".repeat(32)))).isNull();
    }

    @Test
    void shouldForgetABatchWhoseTransactionAborted() {
        identities.planned(event("ab".repeat(32)));
        identities.abort();

        assertThat(identities.conflict(event("cd".repeat(32)))).isNull();
        assertThat(identities.size()).isZero();
    }
}
