package dev.lethe.sinks.console;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.sinks.core.MetricSink;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Live table of FG per family × category from {@code lethe.forgetting} (and alert counts from {@code lethe.alerts}):
 * redrawn in place with ANSI escapes when the output is a terminal, appended as one plain line per changed family
 * otherwise.
 */
public final class ConsoleSink implements MetricSink {

    private static final String CURSOR_UP_LINES = "\u001b[%dF";
    private static final String CLEAR_TO_END = "\u001b[J";

    private final PrintWriter out;
    private final boolean ansi;
    private final FgTable table = new FgTable();
    private final Map<String, String> printedRows = new HashMap<>();
    private boolean changed;
    private int drawnLines;
    private Supplier<String> status = () -> null;
    private String lastStatus;

    /**
     * @param out  where the table goes
     * @param ansi true to redraw in place (a terminal), false for appended plain lines
     */
    public ConsoleSink(PrintWriter out, boolean ansi) {
        this.out = out;
        this.ansi = ansi;
    }

    /** Console on standard output, ANSI when it is a terminal. */
    public static ConsoleSink onStdout() {
        return new ConsoleSink(new PrintWriter(System.out, true), System.console() != null);
    }

    @Override
    public String name() {
        return "console";
    }

    public FgTable table() {
        return table;
    }

    /**
     * A status line (e.g. the demo's progress) drawn under the table on a terminal, or printed when it changes
     * otherwise; null from the supplier means none. Call {@link #refresh()} to show a new status between flushes.
     */
    public synchronized ConsoleSink withStatus(Supplier<String> supplier) {
        this.status = supplier == null ? () -> null : supplier;
        return this;
    }

    @Override
    public synchronized void onMetric(ForgettingMetric metric) {
        changed |= table.accept(metric);
    }

    @Override
    public synchronized void onAlert(KnowledgeLossAlert alert) {
        changed |= table.accept(alert);
    }

    @Override
    public synchronized void flush() {
        draw();
    }

    /** Redraws now if the table or the status changed; safe from any thread. */
    public synchronized void refresh() {
        draw();
    }

    private void draw() {
        String currentStatus = status.get();
        boolean statusChanged = !java.util.Objects.equals(currentStatus, lastStatus);
        if (!changed && !statusChanged) {
            return;
        }
        lastStatus = currentStatus;
        if (ansi) {
            redraw(currentStatus);
        } else {
            if (changed) {
                appendChangedRows();
            }
            if (statusChanged && currentStatus != null) {
                out.println(currentStatus);
            }
        }
        changed = false;
        out.flush();
    }

    private void redraw(String currentStatus) {
        List<String> lines = new java.util.ArrayList<>(table.render());
        if (currentStatus != null) {
            lines.add(currentStatus);
        }
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) {
            sb.append(String.format(CURSOR_UP_LINES, drawnLines)).append(CLEAR_TO_END);
        }
        lines.forEach(l -> sb.append(l).append('\n'));
        out.print(sb);
        drawnLines = lines.size();
    }

    private void appendChangedRows() {
        for (FgTable.Row row : table.rows()) {
            String line = FgTable.plainLine(row);
            String key = row.campaign() + '/' + row.family();
            if (!line.equals(printedRows.put(key, line))) {
                out.println(line);
            }
        }
    }
}
