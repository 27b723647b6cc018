package dev.lethe.schemas.names;

/**
 * The rules for the names that make up a checkpoint's identity (campaign, family, model) and for its id, shared by
 * {@code lethe publish} and the planner, so a raw event cannot carry a name {@code lethe publish} would refuse.
 * {@code /} separates the parts of the record key and of the checkpointId; control characters (NUL first) would
 * reach file names, Prometheus labels and terminals.
 */
public final class CheckpointNames {

    /**
     * The longest name, in characters: the aggregator keeps names in its state as modified UTF-8, which holds at most
     * 65,535 bytes, and refuses longer ones; refused here first, the event is dead-lettered once instead of every shard.
     */
    public static final int MAX_CHARS = 1_000;

    private CheckpointNames() {
    }

    /** The deterministic checkpoint id {@code campaign/model/stage}. */
    public static String checkpointId(String campaign, String model, int stage) {
        return campaign + "/" + model + "/" + stage;
    }

    /** What is wrong with {@code value} as a campaign, family or model name, or null when it is fine. */
    public static String problem(String value) {
        if (value == null || value.isBlank()) {
            return "must not be empty";
        }
        if (value.length() > MAX_CHARS) {
            return "must be at most " + MAX_CHARS + " characters, got " + value.length();
        }
        int control = firstControlCharacter(value);
        if (control >= 0) {
            return "must not contain control characters, got U+" + String.format("%04X", (int) value.charAt(control))
                    + " at index " + control + " of '" + printable(value) + "'";
        }
        if (!value.equals(value.strip())) {
            return "must not start or end with whitespace, got '" + value + "'";
        }
        if (value.contains("/")) {
            return "must not contain '/', got '" + value + "'";
        }
        return null;
    }

    /** What is wrong with {@code checkpointId} given its parts, or null when it is {@code campaign/model/stage}. */
    public static String idProblem(String checkpointId, String campaign, String model, int stage) {
        String expected = checkpointId(campaign, model, stage);
        return expected.equals(checkpointId) ? null
                : "must be campaign/model/stage = '" + printable(expected) + "', got '" + printable(String.valueOf(checkpointId)) + "'";
    }

    private static int firstControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code value} with control characters shown as {@code ?} and cut at 200 chars, fit for a message. */
    public static String printable(String value) {
        String cut = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
