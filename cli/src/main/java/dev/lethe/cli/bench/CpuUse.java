package dev.lethe.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Who used the machine's cores during a pass, as the difference of two snapshots: the whole machine (busy time of
 * every core, from /proc/stat), this JVM, the JIT compiler within it, and the broker's process. On a machine with few
 * cores, a pass that keeps them all busy is bound by the CPU its records cost every process, the broker's included, not
 * by any wait: then comparing two passes compares their CPU per record.
 */
final class CpuUse {

    /** Linux reports /proc/stat in USER_HZ ticks, 100 per second on every architecture the JVM runs Lethe on. */
    private static final double TICKS_PER_SECOND = 100;

    private final long wallNanos;
    private final OptionalLong machineBusyTicks;
    private final OptionalLong machineTotalTicks;
    private final long jvmNanos;
    private final long jitMillis;
    private final OptionalLong brokerNanos;

    private CpuUse(long wallNanos, OptionalLong machineBusyTicks, OptionalLong machineTotalTicks, long jvmNanos,
                   long jitMillis, OptionalLong brokerNanos) {
        this.wallNanos = wallNanos;
        this.machineBusyTicks = machineBusyTicks;
        this.machineTotalTicks = machineTotalTicks;
        this.jvmNanos = jvmNanos;
        this.jitMillis = jitMillis;
        this.brokerNanos = brokerNanos;
    }

    /** Now; {@code brokerPid} is the broker's process (0 when it is not a process of this machine). */
    static CpuUse now(long brokerPid) {
        long[] machine = machineTicks();
        long jvm = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        OptionalLong broker = brokerPid <= 0 ? OptionalLong.empty() : ProcessHandle.of(brokerPid)
                .flatMap(p -> p.info().totalCpuDuration()).map(d -> OptionalLong.of(d.toNanos())).orElse(OptionalLong.empty());
        return new CpuUse(System.nanoTime(), machine == null ? OptionalLong.empty() : OptionalLong.of(machine[0]),
                machine == null ? OptionalLong.empty() : OptionalLong.of(machine[1]), jvm,
                ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), broker);
    }

    /** {busy, total} ticks over all cores, or null where /proc/stat cannot be read. */
    private static long[] machineTicks() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0); // idle + iowait
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What happened between {@code before} and this snapshot, in words. */
    String since(CpuUse before) {
        StringBuilder out = new StringBuilder(String.format("%.2f s", Duration.ofNanos(wallNanos - before.wallNanos).toNanos() / 1e9));
        if (machineBusyTicks.isPresent() && before.machineBusyTicks.isPresent()) {
            double busy = (machineBusyTicks.getAsLong() - before.machineBusyTicks.getAsLong()) / TICKS_PER_SECOND;
            double total = (machineTotalTicks.getAsLong() - before.machineTotalTicks.getAsLong()) / TICKS_PER_SECOND;
            out.append(String.format("; the machine's cores busy %.2f of %.2f core-s (%.0f %%)", busy, total,
                    total == 0 ? 0 : 100 * busy / total));
        }
        out.append(String.format("; this JVM %.2f s (JIT compiling %.2f s)", (jvmNanos - before.jvmNanos) / 1e9,
                (jitMillis - before.jitMillis) / 1e3));
        if (brokerNanos.isPresent() && before.brokerNanos.isPresent()) {
            out.append(String.format("; the broker's process %.2f s", (brokerNanos.getAsLong() - before.brokerNanos.getAsLong()) / 1e9));
        }
        return out.toString();
    }
}
