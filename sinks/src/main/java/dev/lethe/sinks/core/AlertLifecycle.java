package dev.lethe.sinks.core;

import dev.lethe.schemas.AlertState;
import dev.lethe.schemas.KnowledgeLossAlert;
import java.util.Collection;

/**
 * How the sinks read the alert lifecycle of {@code lethe.alerts}: the latest record per alertId is the alert's state,
 * FIRING or RESOLVED (a record written before the lifecycle existed decodes as FIRING).
 */
public final class AlertLifecycle {

    private AlertLifecycle() {
    }

    public static boolean isResolved(KnowledgeLossAlert alert) {
        return alert.getState() == AlertState.RESOLVED;
    }

    /**
     * Distinct alerts and how many of them are in each state, from the latest record per alertId.
     *
     * @param alerts   distinct alertIds raised
     * @param firing   of those, still firing
     * @param resolved of those, resolved
     */
    public record Counts(int alerts, int firing, int resolved) {

        public static Counts of(Collection<KnowledgeLossAlert> latestPerAlertId) {
            return ofStates(latestPerAlertId.stream().map(AlertLifecycle::isResolved).toList());
        }

        /** From one "is resolved" flag per distinct alert. */
        public static Counts ofStates(Collection<Boolean> resolvedPerAlertId) {
            int resolved = (int) resolvedPerAlertId.stream().filter(Boolean::booleanValue).count();
            return new Counts(resolvedPerAlertId.size(), resolvedPerAlertId.size() - resolved, resolved);
        }

        /** "3 alerts (1 firing, 2 resolved)": what each number counts, in words. */
        public String describe() {
            return alerts + (alerts == 1 ? " alert" : " alerts") + " (" + firing + " firing, " + resolved + " resolved)";
        }
    }
}
