package dev.lethe.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Confluent's compatibility levels as a thin policy over Avro's {@link SchemaCompatibility}: BACKWARD means
 * the new schema reads data written with the old one, FORWARD the reverse, FULL both; the {@code _TRANSITIVE}
 * forms check every earlier version instead of only the latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Parses a level name case-insensitively; null when it is not one of Confluent's levels. */
    public static CompatibilityLevel parse(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public boolean isTransitive() {
        return transitive;
    }

    /** The same direction checked against one version only (used when a request names a version). */
    public CompatibilityLevel nonTransitive() {
        return switch (this) {
            case BACKWARD_TRANSITIVE -> BACKWARD;
            case FORWARD_TRANSITIVE -> FORWARD;
            case FULL_TRANSITIVE -> FULL;
            default -> this;
        };
    }

    /**
     * Why {@code candidate} may not follow {@code previous} (oldest first) under this level; empty when it may.
     * Non-transitive levels look only at the last element of {@code previous}.
     */
    public List<String> incompatibilities(Schema candidate, List<Schema> previous) {
        List<String> problems = new ArrayList<>();
        if (this == NONE || previous.isEmpty()) {
            return problems;
        }
        List<Schema> against = transitive ? previous : List.of(previous.get(previous.size() - 1));
        for (Schema old : against) {
            if (backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old), "BACKWARD", problems);
            }
            if (forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate), "FORWARD", problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String direction, List<String> out) {
        SchemaCompatibilityResult result = pair.getResult();
        if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility incompatibility : result.getIncompatibilities()) {
            out.add("{" + direction + ": " + incompatibility.getType() + " at " + incompatibility.getLocation()
                    + ", " + incompatibility.getMessage() + "}");
        }
    }
}
