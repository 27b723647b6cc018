package dev.lethe.aggregator.app;

import dev.lethe.schemas.config.ClusterConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An aggregator in a process of its own, for a test to SIGKILL mid-transaction: arguments bootstrap servers, registry
 * URL, topic prefix, application id, state directory. Prints {@value #RUNNING} once Kafka Streams runs; exits when it
 * cannot get there, and halts when its standard input closes, so it never outlives the test that started it.
 */
public final class AggregatorProcess {

    static final String RUNNING = "aggregator process running";

    private AggregatorProcess() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        ClusterConfig cluster = ClusterConfig.of(args[0], args[1]).withTopicPrefix(args[2]);
        AggregatorApp app = AggregatorApp.start(AggregatorConfig.defaults(cluster).withApplicationId(args[3])
                .withStateDir(Path.of(args[4])).withHttp(AggregatorConfig.DEFAULT_HTTP_HOST, -1));
        if (!app.awaitRunning(Duration.ofMinutes(2))) {
            app.close();
            System.exit(1);
        }
        System.out.println(RUNNING);
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream()); // until the test's end of the pipe closes
        Runtime.getRuntime().halt(2);
    }
}
