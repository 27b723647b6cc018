package dev.lethe.evaluator;

import dev.lethe.evaluator.checkpoint.SerialFilterGuard;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Properties;

/**
 * Entry point of an evaluator worker child process (started by {@link WorkerProcess}).
 *
 * <p>Protocol: the first stdin line is the Base64 of the {@link EvaluatorConfig#toProperties()} text (so no secret
 * appears on the command line); afterwards stdin is a watchdog: EOF (the parent closed it or died) stops the
 * worker gracefully. stdout carries only machine-readable lines ({@code READY <id>}, {@code SCORING <taskId>},
 * {@code COMMITTED <n>}, {@code STOPPED <id>}); logs go to stderr. With {@code --config FILE} the properties come
 * from a file and there is no stdin watchdog (stop with SIGTERM). Run it with {@code -Djdk.serialFilter=!*} and
 * {@code OMP_NUM_THREADS=1}.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        boolean watchdog = true;
        Properties props = new Properties();
        try {
            if (args.length == 2 && args[0].equals("--config")) {
                try (Reader in = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
                    props.load(in);
                }
                watchdog = false;
            } else if (args.length == 0) {
                String line = stdin.readLine();
                if (line == null) {
                    throw new IllegalArgumentException("expected the Base64 configuration line on stdin");
                }
                props.load(new StringReader(new String(Base64.getDecoder().decode(line.trim()), StandardCharsets.UTF_8)));
            } else {
                throw new IllegalArgumentException("usage: WorkerMain [--config FILE]   (default: configuration line on stdin)");
            }
        } catch (IOException | IllegalArgumentException e) {
            protocol.println("ERROR " + e.getMessage());
            System.exit(2);
            return;
        }
        EvaluatorConfig config;
        try {
            config = EvaluatorConfig.fromProperties(props);
        } catch (IllegalArgumentException e) {
            protocol.println("ERROR " + e.getMessage());
            System.exit(2);
            return;
        }
        // the launcher passes -Djdk.serialFilter=!*; a worker started by hand without it gets the same filter here
        SerialFilterGuard.install();
        System.exit(run(config, protocol, watchdog ? stdin : null));
    }

    static int run(EvaluatorConfig config, PrintStream protocol, BufferedReader watchdogInput) throws InterruptedException {
        EvaluatorWorker worker = new EvaluatorWorker(config, SuiteCatalog.of(config), new EvaluatorWorker.Listener() {
            @Override
            public void onReady() {
                protocol.println("READY " + config.workerId());
            }

            @Override
            public void onScoring(String taskId) {
                protocol.println("SCORING " + taskId);
            }

            @Override
            public void onCommitted(int tasks) {
                protocol.println("COMMITTED " + tasks);
            }
        });
        Thread thread = new Thread(worker, "lethe-evaluator-" + config.workerId());
        thread.start();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "lethe-evaluator-shutdown"));
        if (watchdogInput != null) {
            Thread watchdog = new Thread(() -> {
                try {
                    while (watchdogInput.readLine() != null) {
                        // any further input is ignored; only EOF matters
                    }
                } catch (IOException e) {
                    // a broken pipe means the parent is gone: stop like on EOF
                }
                worker.close();
            }, "lethe-evaluator-stdin-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        thread.join();
        protocol.println("STOPPED " + config.workerId());
        return worker.failure() == null ? 0 : 1;
    }
}
