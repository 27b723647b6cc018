package dev.lethe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoOutDirTest {

    @TempDir
    Path tmp;

    @Test
    void shouldRefuseAndDeleteNothingWhenTheFolderIsNotEmptyAndNotTheDemos() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("checkpoints"));
        Files.writeString(home.resolve("checkpoints/precious.bin"), "mine");

        assertThatThrownBy(() -> DemoOutDir.prepare(home, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--out " + home + " is not empty and was not made by lethe demo")
                .hasMessageContaining("--force");
        assertThat(home.resolve("checkpoints/precious.bin")).hasContent("mine");
        assertThat(home.resolve(DemoOutDir.MARKER)).doesNotExist();
    }

    @Test
    void shouldReplaceThePreviousRunWhenTheFolderCarriesTheDemosMarker() throws Exception {
        Path out = DemoOutDir.prepare(tmp.resolve("new"), false);
        Files.createDirectories(out.resolve("state/aggregator"));
        Files.writeString(out.resolve("metrics.jsonl"), "{}");
        Files.writeString(out.resolve("notes.txt"), "kept");

        DemoOutDir.prepare(out, false);

        assertThat(out.resolve("state")).doesNotExist();
        assertThat(out.resolve("metrics.jsonl")).doesNotExist();
        assertThat(out.resolve("notes.txt")).as("files the demo never writes are left alone").hasContent("kept");
    }

    @Test
    void shouldUseAnEmptyFolderOrAForcedOneAndMarkIt() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path foreign = Files.createDirectories(tmp.resolve("foreign/logs"));

        DemoOutDir.prepare(empty, false);
        DemoOutDir.prepare(foreign.getParent(), true);

        assertThat(empty.resolve(DemoOutDir.MARKER)).exists();
        assertThat(foreign).doesNotExist();
        assertThat(foreign.getParent().resolve(DemoOutDir.MARKER)).exists();
    }
}
