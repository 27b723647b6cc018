package dev.lethe.sinks.core;

/** What the sinks need to know about benchmark categories. */
public final class Categories {

    /**
     * The per-stage fine-tuning tasks (GEM's task elements). Their stage-0 score is chance level, since stage 0 never
     * saw the tasks, so an FG against it measures learning, not forgetting, and is hugely negative (about -300 to
     * -500 % in the default campaign). The sinks that show FG leave this category out; GEM ACC/BWT at MODEL scope
     * cover it.
     */
    public static final String TASK = "task";
    /** The category of bias elements (CrowS-Pairs), measured by closeness to an unbiased 50 % share. */
    public static final String BIAS = "bias";

    private Categories() {
    }

    /** Whether Luo et al.'s FG of this category measures forgetting (every category but {@link #TASK}). */
    public static boolean showsForgetting(String category) {
        return category != null && !TASK.equals(category);
    }
}
