package dev.lethe.sinks.alertmanager;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.sinks.core.AlertLifecycle;
import dev.lethe.sinks.webhook.AlertMessage;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;

/**
 * A KnowledgeLossAlert as one element of Alertmanager's {@code POST /api/v2/alerts} body (a {@code postableAlert}):
 * labels that identify and route it, annotations that describe it, {@code startsAt}, and {@code endsAt}.
 */
public final class AlertmanagerAlert {

    /** The {@code alertname} label of every Lethe alert, what routes and silences usually match first. */
    public static final String ALERT_NAME = "LetheKnowledgeLoss";

    private AlertmanagerAlert() {
    }

    /**
     * @param firingUntil {@code endsAt} of a firing alert: Alertmanager resolves it by itself once that passes without
     *                    a newer push
     * @param now         the push time; a resolved alert ends now (Alertmanager treats an {@code endsAt} in the past
     *                    as resolved, and the record's {@code resolvedAt} is event time, which may be ahead of or
     *                    behind Alertmanager's clock)
     */
    public static ObjectNode of(KnowledgeLossAlert a, Instant now, Instant firingUntil, URI generatorUrl) {
        ObjectNode node = RecordJson.mapper().createObjectNode();
        ObjectNode labels = node.putObject("labels");
        labels.put("alertname", ALERT_NAME);
        labels.put("alert_id", a.getAlertId());
        labels.put("campaign", a.getCampaign());
        labels.put("family", a.getFamily());
        labels.put("model", a.getModel());
        labels.put("stage", Integer.toString(a.getStage()));
        putIfPresent(labels, "category", a.getCategory());
        putIfPresent(labels, "benchmark", a.getBenchmark());
        // lower case, as Prometheus alerting rules conventionally write severities, so existing routes match
        labels.put("severity", a.getSeverity().name().toLowerCase(Locale.ROOT));
        labels.put("rule", a.getRule().name());
        ObjectNode annotations = node.putObject("annotations");
        annotations.put("summary", AlertMessage.text(a));
        putIfPresent(annotations, "drop_pp", a.getDropPp());
        putIfPresent(annotations, "relative_drop_pct", a.getRelativeDropPct());
        putIfPresent(annotations, "p_value", a.getPValue());
        putIfPresent(annotations, "previous_score_pct", a.getPreviousScore());
        putIfPresent(annotations, "score_pct", a.getScore());
        putIfPresent(annotations, "previous_stage", a.getPreviousStage());
        putIfPresent(annotations, "fg_pct", a.getFgPct());
        putIfPresent(annotations, "resolution", a.getResolution());
        Instant startsAt = a.getCreatedAt().isAfter(now) ? now : a.getCreatedAt();
        node.put("startsAt", startsAt.toString());
        node.put("endsAt", (AlertLifecycle.isResolved(a) ? now : firingUntil).toString());
        if (generatorUrl != null) {
            node.put("generatorURL", generatorUrl.toString());
        }
        return node;
    }

    private static void putIfPresent(ObjectNode node, String name, Object value) {
        // Alertmanager's label and annotation values are strings; an absent field is left out rather than sent empty
        if (value != null) {
            node.put(name, value.toString());
        }
    }
}
