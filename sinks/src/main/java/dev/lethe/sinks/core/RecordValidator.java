package dev.lethe.sinks.core;

import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;

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
        return null;
    }

    static String problem(KnowledgeLossAlert a) {
        if (blank(a.getAlertId())) {
            return "alertId must not be empty";
        }
        if (a.getStage() < 0) {
            return "negative stage " + a.getStage();
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
