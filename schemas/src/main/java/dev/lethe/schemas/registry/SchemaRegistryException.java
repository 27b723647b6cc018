package dev.lethe.schemas.registry;

/**
 * A schema registry refused a request or could not be reached; carries Confluent's HTTP status and
 * {@code error_code} (e.g. 404/40403 unknown schema id, 409/409 incompatible, 422/42201 invalid schema) and
 * the registry location it came from.
 */
public class SchemaRegistryException extends RuntimeException {

    /** Confluent error codes used by Lethe's client and embedded registry. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    public static final int VERSION_SOFT_DELETED = 40406;
    public static final int VERSION_NOT_SOFT_DELETED = 40407;
    public static final int SUBJECT_CONFIG_NOT_FOUND = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int UNAUTHORIZED = 401;
    public static final int STORE_ERROR = 50001;
    /** Not a Confluent code: the client gave up after its retries (registry down or answering 5xx). */
    public static final int UNAVAILABLE = 50301;

    private final int httpStatus;
    private final int errorCode;
    private final String location;

    public SchemaRegistryException(int httpStatus, int errorCode, String message, String location) {
        this(httpStatus, errorCode, message, location, null);
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String message, String location, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.location = location;
    }

    /** HTTP status of the answer; 503 when the registry could not be reached at all. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent's {@code error_code}, e.g. 40403. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry URL (or in-memory registry name) that answered or failed. */
    public String location() {
        return location;
    }

    public boolean isNotFound() {
        return httpStatus == 404;
    }
}
