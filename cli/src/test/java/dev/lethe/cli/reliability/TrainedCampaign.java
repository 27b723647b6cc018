package dev.lethe.cli.reliability;

import dev.lethe.evaluator.suite.Suite;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.suite.SuiteElement;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.trainer.campaign.Campaign;
import dev.lethe.trainer.campaign.CampaignFile;
import dev.lethe.trainer.run.CampaignRunner;
import dev.lethe.trainer.run.CheckpointSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The reliability ITs' campaign ({@code reliability/tiny-campaign.yaml}: 2 model runs, 2 stages, 6 checkpoints),
 * trained once per test JVM into a temporary checkpoint root, with the CheckpointReady events the trainer wrote
 * (kept, not published: each test publishes them in the order its fault needs) and the suite they are scored on.
 */
final class TrainedCampaign {

    private static TrainedCampaign instance;

    private final Path checkpointRoot;
    private final Campaign campaign;
    private final List<CheckpointReady> events;
    private final Suite suite;

    private TrainedCampaign(Path checkpointRoot, Campaign campaign, List<CheckpointReady> events, Suite suite) {
        this.checkpointRoot = checkpointRoot;
        this.campaign = campaign;
        this.events = List.copyOf(events);
        this.suite = suite;
    }

    /** Trains on first use (a few seconds on 2 cores); later callers in the same JVM share the result. */
    static synchronized TrainedCampaign get() throws Exception {
        if (instance == null) {
            instance = train();
        }
        return instance;
    }

    private static TrainedCampaign train() throws Exception {
        String yaml;
        try (InputStream in = TrainedCampaign.class.getResourceAsStream("/reliability/tiny-campaign.yaml")) {
            if (in == null) {
                throw new IllegalStateException("test resource /reliability/tiny-campaign.yaml is missing");
            }
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Campaign campaign = CampaignFile.parse(yaml);
        Path root = Files.createTempDirectory("lethe-reliability-checkpoints");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root), "lethe-reliability-cleanup"));
        List<CheckpointReady> events = Collections.synchronizedList(new ArrayList<>());
        CampaignRunner.run(campaign, root, null, new CheckpointSink() {
            @Override
            public void publish(CheckpointReady event) {
                events.add(event);
            }

            @Override
            public String destination() {
                return "reliability-it-memory";
            }
        }, null);
        Suite suite = new SuiteCatalog(null).resolve(campaign.suite(), campaign.protocol().toAttributes());
        return new TrainedCampaign(root, campaign, events, suite);
    }

    /** The directory every {@code file:} checkpoint URI lies under (the evaluator's checkpoint root). */
    Path checkpointRoot() {
        return checkpointRoot;
    }

    Campaign campaign() {
        return campaign;
    }

    /** Every event, per model run stage 0 first, as the trainer published them. */
    List<CheckpointReady> events() {
        return events;
    }

    /** The events of one model run by stage. */
    Map<Integer, CheckpointReady> eventsOf(String model) {
        Map<Integer, CheckpointReady> byStage = new LinkedHashMap<>();
        events.stream().filter(e -> e.getModel().equals(model))
                .sorted(Comparator.comparingInt(CheckpointReady::getStage))
                .forEach(e -> byStage.put(e.getStage(), e));
        return byStage;
    }

    Suite suite() {
        return suite;
    }

    /** Shards of one checkpoint over the whole suite. */
    int shardsPerCheckpoint() {
        return suite.shardCount();
    }

    /** Shard count of each suite element (benchmark name -> shards). */
    Map<String, Integer> shardCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (SuiteElement e : suite.elements()) {
            counts.put(e.benchmark(), e.shardCount());
        }
        return counts;
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
