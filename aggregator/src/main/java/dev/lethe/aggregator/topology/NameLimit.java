package dev.lethe.aggregator.topology;

/**
 * The longest name (campaign, model, element, category, ...) the aggregator takes in. Its state and its internal
 * topics write names as modified UTF-8, which holds at most 65,535 bytes: a longer name would fail every write of the
 * record and stop the stream thread on it again after each restart, so it is refused where it comes in instead.
 */
final class NameLimit {

    /** Characters; up to three bytes each in modified UTF-8, so far below the encoding's limit. */
    static final int MAX_CHARS = 1_000;

    private NameLimit() {
    }

    /** Null when every value is at most {@link #MAX_CHARS} characters (or null), else which is not: label, value, ... */
    static String problem(String... labelsAndValues) {
        for (int i = 0; i + 1 < labelsAndValues.length; i += 2) {
            String value = labelsAndValues[i + 1];
            if (value != null && value.length() > MAX_CHARS) {
                return labelsAndValues[i] + " has " + value.length() + " characters; names of more than " + MAX_CHARS
                        + " are refused";
            }
        }
        return null;
    }
}
