package dev.lethe.evaluator.kafka;

import dev.lethe.schemas.registry.SchemaRegistryException;

/**
 * Tells a registry outage (retry the batch later) from a record that can never be decoded (dead-letter it): a record
 * must not be dead-lettered just because the schema registry was briefly unreachable.
 */
public final class RegistryOutage {

    private RegistryOutage() {
    }

    /** True when {@code error} was caused by an unreachable, failing or refusing registry rather than by the bytes. */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryException e && !e.isNotFound()) {
                int status = e.httpStatus();
                return status <= 0 || status >= 500 || status == 401 || status == 403;
            }
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }
}
