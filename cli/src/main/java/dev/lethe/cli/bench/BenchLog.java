package dev.lethe.cli.bench;

import java.io.PrintWriter;

/** Progress lines of {@code lethe bench}, prefixed {@code [bench]} and flushed at once. */
final class BenchLog {

    private final PrintWriter out;

    BenchLog(PrintWriter out) {
        this.out = out;
    }

    void say(String format, Object... args) {
        out.println("[bench] " + String.format(java.util.Locale.ROOT, format, args));
        out.flush();
    }

    PrintWriter out() {
        return out;
    }
}
