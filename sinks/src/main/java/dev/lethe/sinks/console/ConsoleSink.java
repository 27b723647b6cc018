package dev.lethe.sinks.console;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.sinks.core.MetricSink;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    @Override
    public void onMetric(ForgettingMetric metric) {
        changed |= table.accept(metric);
    }

    @Override
    public void onAlert(KnowledgeLossAlert alert) {
        changed |= table.accept(alert);
    }

    @Override
    public void flush() {
        if (!changed) {
            return;
        }
        changed = false;
        if (ansi) {
            redraw();
        } else {
            appendChangedRows();
        }
        out.flush();
    }

    private void redraw() {
        List<String> lines = table.render();
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
