package dev.lethe.evaluator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An evaluator worker running as a child JVM ({@link WorkerMain}): started with {@code OMP_NUM_THREADS=1},
 * {@code -Djdk.serialFilter=!*}, a heap and off-heap limit, and its configuration on stdin. {@link #close()} stops
 * it gracefully (closes its stdin); {@link #kill()} is SIGKILL. If this JVM dies, the child sees EOF and stops.
 */
public final class WorkerProcess implements AutoCloseable {

    /**
     * How to launch the child JVM.
     *
     * @param javaCommand path of the {@code java} executable
     * @param classpath   the child's class path (default: this JVM's)
     * @param jvmOptions  JVM options; {@link #defaults()} has the memory limits and the deserialization filter
     * @param logFile     where the child's stderr (its log) goes, or null to inherit this process's stderr
     */
    public record Launch(String javaCommand, String classpath, List<String> jvmOptions, Path logFile) {

        /** The JVM options every worker child gets: bounded memory, no Java deserialization at all. */
        public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
                "-Xmx512m",
                "-Dorg.bytedeco.javacpp.maxbytes=1g",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=1500m",
                "-Djdk.serialFilter=!*",
                "-XX:+UseSerialGC",
                "-Djava.net.preferIPv4Stack=true");

        static final String JAVACPP_CACHE_DIR = "org.bytedeco.javacpp.cachedir";

        public Launch {
            jvmOptions = List.copyOf(jvmOptions);
        }

        /** This JVM's java and class path, {@link #DEFAULT_JVM_OPTIONS}, and its JavaCPP cache dir if it has one. */
        public static Launch defaults() {
            List<String> options = new ArrayList<>(DEFAULT_JVM_OPTIONS);
            String cacheDir = System.getProperty(JAVACPP_CACHE_DIR);
            if (cacheDir != null) {
                // the natives are already extracted there: a worker should not extract its own ~400 MB copy
                options.add("-D" + JAVACPP_CACHE_DIR + "=" + cacheDir);
            }
            return new Launch(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    System.getProperty("java.class.path"), options, null);
        }

        public Launch withLogFile(Path file) {
            return new Launch(javaCommand, classpath, jvmOptions, file);
        }

        public Launch withClasspath(String cp) {
            return new Launch(javaCommand, cp, jvmOptions, logFile);
        }
    }

    private final String workerId;
    private final Process process;
    private final OutputStream stdin;
    private final List<String> lines = new ArrayList<>();

    private WorkerProcess(String workerId, Process process) {
        this.workerId = workerId;
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread pump = new Thread(this::pumpStdout, "lethe-worker-stdout-" + workerId);
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts a worker child process for {@code config} (its workerId names the worker). */
    public static WorkerProcess start(EvaluatorConfig config, Launch launch) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launch.javaCommand());
        command.addAll(launch.jvmOptions());
        command.add("-cp");
        command.add(launch.classpath());
        command.add(WorkerMain.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
        builder.redirectError(launch.logFile() == null ? ProcessBuilder.Redirect.INHERIT
                : ProcessBuilder.Redirect.appendTo(launch.logFile().toFile()));
        Process process = builder.start();
        WorkerProcess worker = new WorkerProcess(config.workerId(), process);
        StringWriter text = new StringWriter();
        config.toProperties().store(text, null);
        String line = Base64.getEncoder().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8)) + "\n";
        worker.stdin.write(line.getBytes(StandardCharsets.US_ASCII));
        worker.stdin.flush();
        return worker;
    }

    private void pumpStdout() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the child is gone
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    public String workerId() {
        return workerId;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The protocol lines the child printed so far ({@code READY}, {@code SCORING ...}, {@code COMMITTED n}, ...). */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits until a printed line matches, the child exits, or the timeout passes; true if a line matched. */
    public boolean awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                if (lines.stream().anyMatch(match)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    return lines.stream().anyMatch(match);
                }
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
    }

    /** Waits for {@code READY}: the worker has joined the group's subscription. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return awaitLine(l -> l.startsWith("READY"), timeout);
    }

    /** SIGKILL: the child gets no chance to commit or leave the group. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Exit code, or null while running. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** Graceful stop: closes the child's stdin (it commits its batch and leaves the group), SIGKILL after 60 s. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }
}
