package dev.lethe.cli.support;

import dev.lethe.sinks.core.GroupLag;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;

/**
 * Asks the broker about a consumer group: its lag over every partition it reads, and whether it is settled (the
 * demo waits on it for the aggregator to go quiet, the benchmarks to time the pipeline).
 */
public final class GroupProbe {

    private final Admin admin;

    public GroupProbe(Admin admin) {
        this.admin = admin;
    }

    /**
     * Records the group still has to consume (read_committed ends minus committed offsets) over every partition of
     * every topic it has committed on, so a partition that gets its first record now counts too; -1 if unknown yet.
     */
    public long lag(String groupId) throws InterruptedException {
        return GroupLag.of(admin, groupId);
    }

    /** Waits until the group's lag is 0 on two probes in a row (a commit may be in flight between them). */
    public boolean awaitCaughtUp(String groupId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quiet = 0;
        while (System.nanoTime() < deadline) {
            quiet = lag(groupId) == 0 ? quiet + 1 : 0;
            if (quiet >= 2) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Waits until the group is STABLE with exactly {@code members} members, each holding a partition. */
    public boolean awaitStable(String groupId, int members, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get();
                if (d.groupState() == GroupState.STABLE && d.members().size() == members
                        && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    return true;
                }
            } catch (ExecutionException e) {
                // not known yet
            }
            Thread.sleep(100);
        }
        return false;
    }
}
