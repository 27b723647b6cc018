package dev.lethe.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/**
 * A server binary from a Debian package (Alertmanager, Prometheus, chromedriver) run by a test: found on the PATH or
 * failing loudly with the package to install, its output in a log file, stopped (and its children) on close.
 */
public final class ExternalProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;

    private ExternalProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The environment variable {@code .ci/run} sets so that a missing binary fails the build instead of skipping. */
    public static final String REQUIRE_TOOLS = "LETHE_REQUIRE_TOOLS";

    /** The executable, or {@link #missing} naming the Debian package that provides it. */
    public static Path binary(String name, String debianPackage) {
        Path found = find(name);
        return found != null ? found : missing(name, debianPackage);
    }

    /** Whether the executable is on the PATH or in /usr/bin. */
    public static boolean installed(String name) {
        return find(name) != null;
    }

    /** Whether tests must fail rather than skip when a binary is missing ({@code .ci/run} sets it). */
    public static boolean toolsRequired() {
        return "1".equals(System.getenv(REQUIRE_TOOLS));
    }

    private static Path find(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return Files.isExecutable(Path.of("/usr/bin", name)) ? Path.of("/usr/bin", name) : null;
    }

    /**
     * A test that needs a binary that is not installed is skipped with a message saying what to install, so a
     * developer without it can still run the build; under {@code .ci/run} ({@value #REQUIRE_TOOLS}=1) it fails instead,
     * so CI can never pass by skipping.
     */
    public static Path missing(String name, String debianPackage) {
        String message = name + " is not installed: apt-get install -y " + debianPackage + " (.ci/run installs it)";
        if (toolsRequired()) {
            throw new AssertionError(message + "; " + REQUIRE_TOOLS + "=1 makes that a failure");
        }
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable: " + message);
    }

    public static ExternalProcess start(Path log, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ExternalProcess(process, log);
    }

    /** A TCP port free right now on the loopback (the binaries here need a port on their command line). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until {@code url} answers 200, failing with the process log when it exits or the time is up. */
    public void awaitHttpOk(URI url, Duration timeout) {
        await(() -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, timeout, url + " answering 200");
    }

    /** Polls the condition every 100 ms; fails with the process log when the process exits or the time is up. */
    public void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new AssertionError("the process exited (" + process.exitValue() + ") while waiting for " + what + ":\n" + logText());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; process log:\n" + logText());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100); // a poll interval, not a wait for something to happen
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** SIGKILL: the process gets no chance to flush, commit or close anything; returns once it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
