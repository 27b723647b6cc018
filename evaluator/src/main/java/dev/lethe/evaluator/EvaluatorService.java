package dev.lethe.evaluator;

import dev.lethe.evaluator.planner.Planner;
import dev.lethe.evaluator.suite.SuiteCatalog;
import dev.lethe.evaluator.worker.EvaluatorWorker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the evaluator side of Lethe: the planner (a thread in this JVM) and N workers, as child processes
 * ({@link WorkerProcess}, what {@code lethe evaluate} and the demo use) or as threads. Worker ids are
 * {@code <prefix>-0 .. <prefix>-(N-1)}, stable across restarts so a restarted worker fences its predecessor.
 */
public final class EvaluatorService implements AutoCloseable {

    /** Where the workers run. */
    public enum WorkerMode { PROCESSES, THREADS }

    private static final Logger LOG = LoggerFactory.getLogger(EvaluatorService.class);

    private final EvaluatorConfig config;
    private final WorkerMode mode;
    private final WorkerProcess.Launch launch;
    private final String idPrefix;
    private final Planner planner;
    private final List<Object> workers = new ArrayList<>();

    private EvaluatorService(EvaluatorConfig config, WorkerMode mode, WorkerProcess.Launch launch, String idPrefix, boolean withPlanner) {
        this.config = config;
        this.mode = mode;
        this.launch = launch;
        this.idPrefix = idPrefix;
        this.planner = withPlanner ? new Planner(config, SuiteCatalog.of(config)) : null;
    }

    /**
     * Starts the planner (unless {@code withPlanner} is false) and {@code workers} workers.
     *
     * @param launch how to start worker processes (ignored for threads); {@link WorkerProcess.Launch#defaults()}
     */
    public static EvaluatorService start(EvaluatorConfig config, int workers, WorkerMode mode, WorkerProcess.Launch launch,
                                         String workerIdPrefix, boolean withPlanner) {
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must be >= 0, got " + workers);
        }
        EvaluatorService service = new EvaluatorService(config, mode, launch, workerIdPrefix, withPlanner);
        if (service.planner != null) {
            service.planner.start();
        }
        for (int i = 0; i < workers; i++) {
            service.workers.add(null);
            service.startWorker(i);
        }
        LOG.info("evaluator started: planner {}, {} worker {}", withPlanner ? "on" : "off", workers,
                mode == WorkerMode.PROCESSES ? "processes" : "threads");
        return service;
    }

    public String workerId(int index) {
        return idPrefix + "-" + index;
    }

    public int workerCount() {
        return workers.size();
    }

    /** The planner, or null when started without one. */
    public Planner planner() {
        return planner;
    }

    /** The worker process at {@code index} (PROCESSES mode). */
    public WorkerProcess process(int index) {
        return (WorkerProcess) workers.get(index);
    }

    /** The worker at {@code index} (THREADS mode). */
    public EvaluatorWorker thread(int index) {
        return (EvaluatorWorker) workers.get(index);
    }

    /** Kills worker {@code index} abruptly: SIGKILL for a process, {@link EvaluatorWorker#halt()} for a thread. */
    public synchronized void kill(int index) {
        Object w = workers.get(index);
        if (w instanceof WorkerProcess p) {
            p.kill();
        } else if (w instanceof EvaluatorWorker t) {
            t.halt();
        }
    }

    /** Starts worker {@code index} again with the same id (fencing any zombie of it); stop or kill it first. */
    public synchronized void restart(int index) {
        startWorker(index);
    }

    private void startWorker(int index) {
        EvaluatorConfig workerConfig = config.withWorkerId(workerId(index));
        if (mode == WorkerMode.PROCESSES) {
            try {
                workers.set(index, WorkerProcess.start(workerConfig, launch));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start worker process " + workerConfig.workerId(), e);
            }
        } else {
            EvaluatorWorker worker = new EvaluatorWorker(workerConfig);
            worker.start();
            workers.set(index, worker);
        }
    }

    /** Waits until every worker process printed READY (threads are ready once started); false on timeout. */
    public boolean awaitWorkersReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Object w : workers) {
            if (w instanceof WorkerProcess p && !p.awaitReady(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** Stops every worker gracefully (each commits its batch), then the planner. */
    @Override
    public synchronized void close() {
        List<Thread> stoppers = new ArrayList<>();
        for (Object w : workers) {
            Thread t = new Thread(() -> {
                if (w instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LOG.warn("worker did not stop cleanly: {}", e.toString());
                    }
                }
            }, "lethe-evaluator-stop");
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (planner != null) {
            planner.close();
        }
        LOG.info("evaluator stopped");
    }
}
