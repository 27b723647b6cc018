package dev.lethe.sinks.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import dev.lethe.sinks.core.AlertLifecycle;
import java.util.Locale;

/** The webhook body of a KnowledgeLossAlert: the alert's fields (RecordJson shape) plus a Slack-compatible {@code text}. */
public final class AlertMessage {

    private AlertMessage() {
    }

    public static ObjectNode body(KnowledgeLossAlert alert) {
        ObjectNode node = RecordJson.mapper().createObjectNode();
        node.put("text", text(alert));
        node.setAll(RecordJson.toNode(alert));
        return node;
    }

    /** One line a person reads in a chat channel; a resolution starts with RESOLVED and ends with why. */
    public static String text(KnowledgeLossAlert a) {
        StringBuilder sb = new StringBuilder();
        if (AlertLifecycle.isResolved(a)) {
            sb.append(":white_check_mark: RESOLVED ").append(a.getSeverity());
        } else {
            sb.append(a.getSeverity() == AlertSeverity.CRITICAL ? ":rotating_light: CRITICAL" : ":warning: " + a.getSeverity());
        }
        sb.append(" knowledge loss in ").append(a.getFamily()).append('/').append(a.getModel())
                .append(" (campaign ").append(a.getCampaign()).append(") at stage ").append(a.getStage());
        if (a.getRule() == AlertRule.FG_THRESHOLD) {
            sb.append(": FG of category ").append(a.getCategory()).append(" reached ").append(num(a.getFgPct())).append('%');
        } else {
            sb.append(": ").append(a.getBenchmark() == null ? a.getCategory() : a.getBenchmark());
            if (a.getCategory() != null && a.getBenchmark() != null) {
                sb.append(" [").append(a.getCategory()).append(']');
            }
            sb.append(' ').append(num(a.getPreviousScore())).append("% -> ").append(num(a.getScore())).append('%');
            if (a.getPreviousStage() != null) {
                sb.append(" since stage ").append(a.getPreviousStage());
            }
            sb.append(" (-").append(num(a.getDropPp())).append(" pp");
            if (a.getPValue() != null) {
                sb.append(", p=").append(String.format(Locale.ROOT, "%.2g", a.getPValue()));
            }
            sb.append(')');
        }
        sb.append(" [").append(a.getRule()).append(", alert ").append(a.getAlertId()).append(']');
        if (AlertLifecycle.isResolved(a) && a.getResolution() != null) {
            sb.append(" resolved: ").append(a.getResolution());
        }
        return sb.toString();
    }

    private static String num(Double v) {
        return v == null ? "?" : String.format(Locale.ROOT, "%.1f", v);
    }
}
