package dev.lethe.sinks.dashboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One browser connected to {@code /events}: the sink enqueues Server-Sent Events and the connection's own thread writes
 * them, so a slow or vanished browser never holds up the consumer. A client that falls too far behind is dropped
 * (the browser's EventSource reconnects and starts again from a snapshot).
 */
final class SseClient {

    /** Events a client may lag behind before it is dropped. */
    static final int MAX_QUEUED = 1000;

    private static final String CLOSE = "\u0000close";

    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private volatile boolean closed;
    private final CountDownLatch ended = new CountDownLatch(1);

    /** Queues one event; false if the client is closed or too far behind (then it is closed). */
    boolean offer(String event, String json) {
        if (closed) {
            return false;
        }
        StringBuilder frame = new StringBuilder(json.length() + 32).append("event: ").append(event).append('\n');
        // SSE data lines may not contain newlines; the JSON written here has none, but split defensively
        json.lines().forEach(line -> frame.append("data: ").append(line).append('\n'));
        if (!queue.offer(frame.append('\n').toString())) {
            close();
            return false;
        }
        return true;
    }

    /** Ends the stream after the events already queued (the last update reaches the browser), or at once if it is full. */
    void close() {
        closed = true;
        if (!queue.offer(CLOSE)) {
            queue.clear();
            queue.offer(CLOSE);
        }
    }

    /** Waits until the stream's thread has written what was queued and ended, up to {@code timeout}. */
    boolean awaitEnded(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isClosed() {
        return closed;
    }

    /** Writes queued events until the browser goes away or the client is closed; a comment line every heartbeat. */
    void pump(OutputStream out, Duration heartbeat) {
        try (out) {
            while (true) {
                String frame = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                if (CLOSE.equals(frame)) {
                    break;
                }
                out.write((frame == null ? ": keep-alive\n\n" : frame).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the browser went away: normal end of a stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed = true;
            ended.countDown();
        }
    }
}
