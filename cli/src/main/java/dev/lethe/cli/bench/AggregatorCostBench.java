package dev.lethe.cli.bench;

import dev.lethe.aggregator.metrics.AlertConfig;
import dev.lethe.aggregator.metrics.IncrementalRun;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.topology.SerializedRunStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How the aggregator's cost per record grows over a long campaign: one model run of 64 elements (8 categories, 250
 * items each, with bitsets) through 200 fine-tuning stages, each stage announced and then scored element by element,
 * through the aggregator's own code ({@link IncrementalRun}) over its store encoding ({@link SerializedRunStore}:
 * every read decodes, every write encodes), without Kafka. The figure is the CPU time per score around stage 200
 * over the CPU time per score around stage 20, medians over repeated passes.
 */
final class AggregatorCostBench {

    static final int ELEMENTS = 64;
    static final int STAGES = 200;
    static final int ITEMS = 250;
    private static final int WINDOW = 8;
    /** CPU time of this thread, not wall time: the figure must not depend on what else the machine runs. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean(); // stages on each side of the figure's stage that are timed

    /**
     * @param nanosPerRecordAt20  median time per score over stages 20-WINDOW..20
     * @param nanosPerRecordAt200 median time per score over stages 200-WINDOW..200
     * @param bytesPerRecordAt200 store bytes decoded and encoded per score over the last stages
     */
    record Result(double nanosPerRecordAt20, double nanosPerRecordAt200, double growth, double bytesPerRecordAt200,
                  int passes) {
    }

    private final BenchLog log;

    AggregatorCostBench(BenchLog log) {
        this.log = log;
    }

    Result run(int passes) {
        List<Double> at20 = new ArrayList<>();
        List<Double> at200 = new ArrayList<>();
        double bytesAt200 = 0;
        for (int pass = 0; pass < passes + 1; pass++) { // the first pass warms the JIT up and is not counted
            SerializedRunStore store = new SerializedRunStore();
            IncrementalRun run = new IncrementalRun(new RunKey("cost", "fam", "run"), store, AlertConfig.defaults());
            long[] nanosPerStage = new long[STAGES + 1];
            long bytesBefore = 0;
            for (int stage = 0; stage <= STAGES; stage++) {
                if (stage == STAGES - WINDOW) {
                    bytesBefore = store.bytesRead() + store.bytesWritten();
                }
                long start = CPU.getCurrentThreadCpuTime();
                for (int e = 0; e < ELEMENTS; e++) {
                    run.planned(stage, element(e), category(e), "v", Instant.EPOCH);
                }
                for (int e = 0; e < ELEMENTS; e++) {
                    run.score(cell(stage, e), "v", Instant.EPOCH);
                }
                nanosPerStage[stage] = CPU.getCurrentThreadCpuTime() - start;
            }
            if (pass > 0) {
                at20.add(perRecord(nanosPerStage, 20));
                at200.add(perRecord(nanosPerStage, STAGES));
                bytesAt200 = (store.bytesRead() + store.bytesWritten() - bytesBefore) / (double) (WINDOW + 1) / ELEMENTS;
            }
        }
        double a = Stats.median(at20);
        double b = Stats.median(at200);
        log.say("aggregator cost: %.1f us per score at stage 20, %.1f us at stage 200 (x%.2f), %.0f store bytes per score",
                a / 1e3, b / 1e3, b / a, bytesAt200);
        return new Result(a, b, b / a, bytesAt200, passes);
    }

    /** Time per event (a plan and a score per element) over the stages last-WINDOW..last. */
    private static double perRecord(long[] nanosPerStage, int last) {
        long sum = 0;
        for (int s = last - WINDOW; s <= last; s++) {
            sum += nanosPerStage[s];
        }
        return sum / (double) (WINDOW + 1) / ELEMENTS;
    }

    private static String element(int e) {
        return String.format("e%02d", e);
    }

    private static String category(int e) {
        return "cat-" + e % 8;
    }

    /** Accuracy drifts down with the stage; deterministic per (stage, element). */
    private static ScoreCell cell(int stage, int e) {
        SplittableRandom random = new SplittableRandom(stage * 1_000_003L + e);
        byte[] bits = new byte[(ITEMS + 7) / 8];
        int correct = 0;
        double p = 0.9 - 0.001 * stage * (1 + e % 4);
        for (int i = 0; i < ITEMS; i++) {
            if (random.nextDouble() < p) {
                bits[i >>> 3] |= (byte) (1 << (i & 7));
                correct++;
            }
        }
        return new ScoreCell(stage, stage == 0 ? null : "t-" + stage, element(e), category(e), ITEMS, correct, bits,
                Instant.ofEpochSecond(stage));
    }
}
