package dev.lethe.sinks;

import dev.lethe.testkit.ExternalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus' {@code promtool} (Debian package {@code prometheus}); see {@link ExternalProcess#missing} when it is absent. */
public final class Promtool {

    /** Exit code and combined output of one promtool run. */
    public record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    public static Path binary() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("PROMTOOL");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank()) {
                candidates.add(Path.of(dir, "promtool"));
            }
        }
        candidates.add(Path.of("/usr/bin/promtool"));
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return ExternalProcess.missing("promtool", "prometheus (or set PROMTOOL=/path/to/promtool); the Prometheus rules and "
                + "exposition cannot be checked without it");
    }

    public static Result run(String stdin, Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        try {
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }
}
