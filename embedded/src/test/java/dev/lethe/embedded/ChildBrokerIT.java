package dev.lethe.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class ChildBrokerIT {

    @Test
    void shouldServeClientsAndLeaveNoProcessWhenClosed() throws Exception {
        ChildBroker child = ChildBroker.builder().registry(false).topicPrefix("lethe.").start();
        try (child) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", child.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(1);
                assertThat(admin.listTopics().names().get()).contains("lethe.checkpoints", "lethe.checkpoints-dlq");
            }
            assertThat(ProcessHandle.current().children().map(ProcessHandle::pid).toList()).contains(child.pid());
        }
        assertThat(child.isAlive()).isFalse();
        assertThat(ProcessHandle.of(child.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void shouldExitByItselfWhenItsParentPipeCloses() throws Exception {
        ChildBroker child = ChildBroker.builder().registry(false).start();
        try (child) {
            // what a parent killed with -9 looks like from the child's side: stdin reaches EOF
            child.process().getOutputStream().close();

            boolean ended = child.process().waitFor(30, TimeUnit.SECONDS);

            assertThat(ended).as("child exited after stdin EOF").isTrue();
            assertThat(child.process().exitValue()).isZero();
        }
    }

    @Test
    void shouldReportWhyWhenTheChildCannotStart() {
        List<String> badOptions = List.of("-Xmx1m");
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        ChildBroker.builder().jvmOptions(badOptions).startTimeout(Duration.ofSeconds(60)).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("child broker exited before it was ready");
    }
}
