package dev.lethe.sinks.core;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.names.CheckpointNames;

/** Checks the fields a sink keys on; a record failing them is dead-lettered with reason VALIDATION. */
final class RecordValidator {

    private RecordValidator() {
    }

    /** Null when valid, else what is wrong. */
    static String problem(ForgettingMetric m) {
        if (m.getScope() == null || m.getScope() == MetricScope.UNKNOWN) {
            return "scope is " + m.getScope();
        }
        if (m.getStage() < 0) {
            return "negative stage " + m.getStage();
        }
        if (blank(m.getCampaign()) || blank(m.getFamily())) {
            return "campaign and family must not be empty";
        }
        if (m.getScope() != MetricScope.FAMILY && blank(m.getModel())) {
            return "model must be set at " + m.getScope() + " scope";
        }
        return names(m.getCampaign(), m.getFamily(), m.getModel());
    }

    static String problem(KnowledgeLossAlert a) {
        if (blank(a.getAlertId())) {
            return "alertId must not be empty";
        }
        if (a.getStage() < 0) {
            return "negative stage " + a.getStage();
        }
        return names(a.getCampaign(), a.getFamily(), a.getModel());
    }

    /**
     * The planner's and {@code lethe publish}'s name rules (no '/', no NUL or other control characters) for the names a
     * sink writes into labels, file names and terminals; a record written straight to the topic can still carry them.
     */
    private static String names(String campaign, String family, String model) {
        String[][] named = {{"campaign", campaign}, {"family", family}, {"model", model}};
        for (String[] name : named) {
            String problem = blank(name[1]) ? null : CheckpointNames.problem(name[1]);
            if (problem != null) {
                return name[0] + " " + problem;
            }
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
