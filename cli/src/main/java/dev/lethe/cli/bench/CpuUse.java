package dev.lethe.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who used the machine's cores during a pass, as the difference of two snapshots: the whole machine (busy time of
 * every core, from /proc/stat), this JVM, the JIT compiler within it, and the broker's process. On a machine with few
 * cores, a pass that keeps them all busy is bound by the CPU its records cost every process, the broker's included, not
 * by any wait: then comparing two passes compares their CPU per record.
 */
record CpuUse(long wallNanos, long[] machineTicks, long jvmNanos, long jitMillis, OptionalLong brokerNanos,
              Map<String, Long> jvmTicksByThreadKind, Map<String, Long> brokerTicksByThreadKind, long[] brokerFaults) {

    /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every architecture the JVM runs Lethe on. */
    private static final double TICKS_PER_SECOND = 100;

    /** Now; {@code brokerPid} is the broker's process (0 when it is not a process of this machine). */
    static CpuUse now(long brokerPid) {
        long jvm = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        OptionalLong broker = brokerPid <= 0 ? OptionalLong.empty() : ProcessHandle.of(brokerPid)
                .flatMap(p -> p.info().totalCpuDuration()).map(d -> OptionalLong.of(d.toNanos())).orElse(OptionalLong.empty());
        return new CpuUse(System.nanoTime(), readMachineTicks(), jvm, ManagementFactory.getCompilationMXBean().getTotalCompilationTime(),
                broker, ticksByThreadKind("self"), brokerPid <= 0 ? Map.of() : ticksByThreadKind(Long.toString(brokerPid)),
                brokerPid <= 0 ? null : pageFaults(Long.toString(brokerPid)));
    }

    /**
     * A process's (this JVM: "self") CPU ticks per kind of thread, Java and native alike (compiler, GC, RocksDB, Kafka
     * client threads), by their OS name (at most 15 characters) with digits dropped: a live thread's ticks from
     * /proc/PID/task; empty where that cannot be read. A thread that ended between two snapshots loses its ticks, a
     * small undercount.
     */
    private static Map<String, Long> ticksByThreadKind(String pid) {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(stat.indexOf('(') + 1, close);
                    String[] rest = stat.substring(close + 2).split(" ");
                    // after the name: state(0) ... utime(11) stime(12), per proc(5)
                    ticks.merge(kind(name), Long.parseLong(rest[11]) + Long.parseLong(rest[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return ticks;
    }

    /**
     * {minor, major} page faults of a process so far, or null: a broker writes its index files through memory maps, so
     * each first write to a page of one faults, and what a fault costs depends on the file system and the disk.
     */
    private static long[] pageFaults(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(rest[7]), Long.parseLong(rest[9])}; // minflt, majflt, per proc(5)
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String kind(String threadName) {
        // a producer's I/O thread is named after its client id, cut to 15 characters
        return threadName.startsWith("kafka-producer") ? "producer I/O" : threadName.replaceAll("[0-9]+", "#");
    }

    /** {busy, total} ticks over all cores, or null where /proc/stat cannot be read. */
    private static long[] readMachineTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal; guest time is counted in user already
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0); // idle + iowait
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The kinds of thread that used the most CPU between two snapshots, in seconds; "" when unknown. */
    private static String byThread(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> used = new TreeMap<>();
        now.forEach((kind, ticks) -> {
            long delta = ticks - before.getOrDefault(kind, 0L);
            if (delta > 0) {
                used.put(kind, delta);
            }
        });
        return used.isEmpty() ? "" : used.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(8)
                .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / TICKS_PER_SECOND))
                .collect(Collectors.joining(", ", " [by thread: ", "]"));
    }

    /** What happened between {@code before} and this snapshot, in words. */
    String since(CpuUse before) {
        StringBuilder out = new StringBuilder(String.format("%.2f s", (wallNanos - before.wallNanos) / 1e9));
        if (machineTicks != null && before.machineTicks != null) {
            double busy = (machineTicks[0] - before.machineTicks[0]) / TICKS_PER_SECOND;
            double total = (machineTicks[1] - before.machineTicks[1]) / TICKS_PER_SECOND;
            out.append(String.format("; the machine's cores busy %.2f of %.2f core-s (%.0f %%)", busy, total,
                    total == 0 ? 0 : 100 * busy / total));
        }
        out.append(String.format("; this JVM %.2f s (JIT compiling %.2f s)", (jvmNanos - before.jvmNanos) / 1e9,
                (jitMillis - before.jitMillis) / 1e3));
        out.append(byThread(jvmTicksByThreadKind, before.jvmTicksByThreadKind));
        if (brokerNanos.isPresent() && before.brokerNanos.isPresent()) {
            out.append(String.format("; the broker's process %.2f s", (brokerNanos.getAsLong() - before.brokerNanos.getAsLong()) / 1e9))
                    .append(byThread(brokerTicksByThreadKind, before.brokerTicksByThreadKind));
            if (brokerFaults != null && before.brokerFaults != null) {
                out.append(String.format(", page faults %d minor, %d major", brokerFaults[0] - before.brokerFaults[0],
                        brokerFaults[1] - before.brokerFaults[1]));
            }
        }
        return out.toString();
    }
}
