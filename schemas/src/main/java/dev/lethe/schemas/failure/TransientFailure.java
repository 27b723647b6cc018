package dev.lethe.schemas.failure;

import dev.lethe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Lethe's one definition of a transient failure: a dependency (the schema registry, a broker, an HTTP endpoint)
 * failed, so the record in hand says nothing about it and must be retried, never dead-lettered. The evaluator
 * (planner and workers), the aggregator and the sinks all ask this class; docs/RELIABILITY.md lists the cases.
 *
 * <p>Transient: a registry answer 5xx, 408, 429, 401 or 403 (credentials are an operator's fix, not the record's
 * fault), a registry or HTTP endpoint that cannot be reached or does not answer in time (any {@link IOException}:
 * connection refused, reset, timeout), and every Kafka {@link RetriableException} (not enough replicas, leader not
 * available, timeouts, a coordinator moving). Permanent: anything else, e.g. a registry 404 (the record names a
 * schema id the registry does not have), 409/422, or bytes that are not Confluent's wire format.
 */
public final class TransientFailure {

    private TransientFailure() {
    }

    /** True when {@code error}, or any cause of it, is a transient failure of a dependency (see the class comment). */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryException e) {
                // the registry's answer decides, even when an IOException is further down the chain
                return isTransientStatus(e.httpStatus());
            }
            if (t instanceof IOException || t instanceof RetriableException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * True for an HTTP status a client should retry: no answer at all (0 or less), 5xx, 408 Request Timeout,
     * 429 Too Many Requests, and 401/403 (wrong or expired credentials: fixed by an operator, the request is fine).
     */
    public static boolean isTransientStatus(int httpStatus) {
        return httpStatus <= 0 || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429 || httpStatus == 401
                || httpStatus == 403;
    }
}
