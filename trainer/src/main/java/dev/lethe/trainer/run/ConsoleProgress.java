package dev.lethe.trainer.run;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The console view of a training run: on a terminal a progress bar per stage redrawn in place, otherwise (logs,
 * CI, pipes) one plain line per finished stage.
 */
public final class ConsoleProgress implements ProgressListener {

    private static final int BAR_WIDTH = 30;

    private final PrintWriter out;
    private final boolean interactive;
    private int lastDrawn;
    private String currentTask = "";
    private int currentStages;

    /**
     * @param out         where to write (stderr in {@code lethe train}, so stdout stays machine-readable)
     * @param interactive true on a terminal: redraw a bar with carriage returns
     */
    public ConsoleProgress(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void stageStarted(String model, int stage, int stages, String task, int totalSteps) {
        currentTask = task == null ? "general" : task;
        currentStages = stages;
        lastDrawn = 0;
        if (interactive) {
            draw(model, stage, 0, totalSteps);
        }
    }

    @Override
    public void stepDone(String model, int stage, int step, int totalSteps) {
        if (!interactive) {
            return;
        }
        int cells = (int) ((long) step * BAR_WIDTH / Math.max(1, totalSteps));
        if (cells != lastDrawn) {
            draw(model, stage, step, totalSteps);
            lastDrawn = cells;
        }
    }

    private void draw(String model, int stage, int step, int totalSteps) {
        int cells = (int) ((long) step * BAR_WIDTH / Math.max(1, totalSteps));
        String bar = "#".repeat(cells) + ".".repeat(BAR_WIDTH - cells);
        out.printf(Locale.ROOT, "\r%-18s stage %d/%d %-9s [%s] %3d%%", model, stage, currentStages, currentTask, bar,
                step * 100L / Math.max(1, totalSteps));
        out.flush();
    }

    @Override
    public void stageFinished(StageResult r) {
        String task = r.task() == null ? "general" : r.task();
        String what;
        if (r.resumed()) {
            what = "on disk, resumed";
        } else {
            what = String.format(Locale.ROOT, "%.1fs, own-task acc %.1f%%, clean acc %.1f%%", r.trainMillis() / 1000.0,
                    100 * r.ownTaskAccuracy(), 100 * r.cleanAccuracy());
        }
        String line = String.format(Locale.ROOT, "%-18s stage %d %-9s %s, sha256 %s%s", r.model(), r.stage(), task,
                what, r.sha256().substring(0, 12), r.published() ? ", published" : "");
        if (interactive) {
            // overwrite the bar, padded so no residue of a longer bar line remains
            out.print("\r" + String.format("%-" + (BAR_WIDTH + 50) + "s", line) + "\n");
        } else {
            out.println(line);
        }
        out.flush();
    }
}
