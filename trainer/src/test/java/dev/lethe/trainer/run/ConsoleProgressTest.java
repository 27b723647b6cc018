package dev.lethe.trainer.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    private static final StageResult TRAINED = new StageResult("c/m/2", "m", 2, "perm-2", Path.of("stage-2.zip"),
            "0123456789abcdef".repeat(4), 90, 1000, false, true, 0.931, 0.512, 1500);

    private static String drive(boolean interactive) {
        StringWriter text = new StringWriter();
        ConsoleProgress p = new ConsoleProgress(new PrintWriter(text), interactive);
        p.stageStarted("m", 2, 3, "perm-2", 60);
        for (int step = 1; step <= 60; step++) {
            p.stepDone("m", 2, step, 60);
        }
        p.stageFinished(TRAINED);
        return text.toString();
    }

    @Test
    void shouldPrintOnePlainLinePerStageWhenNotOnATerminal() {
        String out = drive(false);

        assertThat(out).doesNotContain("\r").doesNotContain("[#");
        assertThat(out.lines()).containsExactly(
                "m                  stage 2 perm-2    1.5s, own-task acc 93.1%, clean acc 51.2%, sha256 0123456789ab, published");
    }

    @Test
    void shouldRedrawABarInPlaceWhenOnATerminal() {
        String out = drive(true);

        assertThat(out).contains("\rm                  stage 2/3 perm-2    [" + ".".repeat(30) + "]   0%");
        assertThat(out).contains("[" + "#".repeat(15) + ".".repeat(15) + "]  50%");
        assertThat(out).contains("[" + "#".repeat(30) + "] 100%");
        // one redraw per bar cell, not one per step
        assertThat(out.chars().filter(ch -> ch == '\r').count()).isEqualTo(32);
        String last = out.substring(out.lastIndexOf('\r') + 1);
        // the finished line is longer than the bar it overwrites, so it needs no padding
        assertThat(last).isEqualTo("m                  stage 2 perm-2    1.5s, own-task acc 93.1%, clean acc 51.2%, "
                + "sha256 0123456789ab, published\n");
    }
}
