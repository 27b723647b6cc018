package dev.lethe.evaluator.checkpoint;

import java.io.ObjectInputFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second guard against Java deserialization in checkpoints: a JVM-wide serial filter rejecting every class
 * ({@code !*}, as {@code -Djdk.serialFilter=!*} would set). Installed only by processes dedicated to evaluation
 * ({@code WorkerMain}, {@code lethe evaluate --threads}) and only when no filter is set yet.
 */
public final class SerialFilterGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SerialFilterGuard.class);

    private SerialFilterGuard() {
    }

    /** Installs {@code !*} unless a filter is already configured; returns the filter in force. */
    public static synchronized ObjectInputFilter install() {
        ObjectInputFilter current = ObjectInputFilter.Config.getSerialFilter();
        if (current != null) {
            return current;
        }
        ObjectInputFilter rejectAll = ObjectInputFilter.Config.createFilter("!*");
        try {
            ObjectInputFilter.Config.setSerialFilter(rejectAll);
        } catch (IllegalStateException e) {
            LOG.debug("serial filter already set concurrently", e);
            return ObjectInputFilter.Config.getSerialFilter();
        }
        return rejectAll;
    }
}
