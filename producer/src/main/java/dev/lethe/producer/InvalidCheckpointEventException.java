package dev.lethe.producer;

/**
 * A {@link dev.lethe.schemas.CheckpointReady} that must not be published; names the offending record field and
 * the {@code lethe publish} flag that sets it.
 */
public final class InvalidCheckpointEventException extends IllegalArgumentException {

    private final String field;
    private final String flag;

    public InvalidCheckpointEventException(String field, String flag, String problem) {
        super(flag + " (" + field + ") " + problem);
        this.field = field;
        this.flag = flag;
    }

    /** The Avro field name, e.g. {@code checkpointSha256}. */
    public String field() {
        return field;
    }

    /** The {@code lethe publish} flag, e.g. {@code --sha256}. */
    public String flag() {
        return flag;
    }
}
