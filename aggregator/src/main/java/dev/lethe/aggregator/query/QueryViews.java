package dev.lethe.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.aggregator.metrics.MetricOrder;
import dev.lethe.aggregator.metrics.RunKey;
import dev.lethe.aggregator.metrics.RunSummary;
import dev.lethe.aggregator.metrics.ScoreCell;
import dev.lethe.aggregator.metrics.StageSlice;
import dev.lethe.aggregator.topology.AggregatorTopology;
import dev.lethe.aggregator.topology.FamilyState;
import dev.lethe.aggregator.topology.RunCells;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.json.RecordJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyQueryMetadata;

/**
 * What each query answers, as JSON: the families, one family, one model run, the alerts since an instant. A key
 * owned by another instance is fetched from it; with {@code local} only this instance's part is answered.
 */
final class QueryViews {

    private static final ObjectMapper JSON = RecordJson.mapper();

    private final LocalStores stores;
    private final Peers peers;

    QueryViews(LocalStores stores, Peers peers) {
        this.stores = stores;
        this.peers = peers;
    }

    QueryResponse health() {
        ObjectNode body = JSON.createObjectNode();
        body.put("state", stores.state().name());
        return QueryResponse.ok(body);
    }

    // ---- /families

    QueryResponse families(boolean local) {
        ArrayNode families = JSON.createArrayNode();
        Map<String, ObjectNode> byFamily = new TreeMap<>();
        for (FamilyState state : FamilyState.mergeByCampaign(stores.<FamilyState>localValues(AggregatorTopology.FAMILY_STORE))) {
            ObjectNode family = byFamily.computeIfAbsent(state.family(), f -> {
                ObjectNode node = JSON.createObjectNode();
                node.put("family", f);
                node.putArray("campaigns");
                return node;
            });
            ObjectNode campaign = ((ArrayNode) family.get("campaigns")).addObject();
            campaign.put("campaign", state.campaign());
            ArrayNode models = campaign.putArray("models");
            state.models().forEach(models::add);
        }
        byFamily.values().forEach(families::add);
        if (!local) {
            for (JsonNode remote : peers.fromOthers(AggregatorTopology.FAMILY_STORE, "/families?local=true")) {
                remote.get("families").forEach(families::add);
            }
        }
        List<JsonNode> sorted = new ArrayList<>();
        families.forEach(sorted::add);
        sorted.sort(Comparator.comparing(n -> n.get("family").asText()));
        ObjectNode body = JSON.createObjectNode();
        body.putArray("families").addAll(sorted);
        return QueryResponse.ok(body);
    }

    QueryResponse family(String family, boolean local) {
        KeyQueryMetadata owner = stores.owner(AggregatorTopology.FAMILY_STORE, family);
        if (owner == null) {
            return QueryResponse.error(503, "no instance owns family " + family + " right now (rebalancing)");
        }
        if (!local && !owner.activeHost().equals(stores.self())) {
            return peers.fetch(owner.activeHost(), "/families/" + encode(family) + "?local=true");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("family", family);
        ArrayNode campaigns = body.putArray("campaigns");
        List<FamilyState> slices = stores.prefixValues(AggregatorTopology.FAMILY_STORE, family, owner.partition());
        for (FamilyState state : FamilyState.mergeByCampaign(slices)) {
            ObjectNode campaign = campaigns.addObject();
            campaign.put("campaign", state.campaign());
            ArrayNode models = campaign.putArray("models");
            state.models().forEach(models::add);
            ArrayNode records = campaign.putArray("records");
            state.familyRecords().stream().sorted(MetricOrder.METRICS).forEach(r -> records.add(RecordJson.toNode(r)));
        }
        return campaigns.isEmpty() ? QueryResponse.error(404, "no family " + family) : QueryResponse.ok(body);
    }

    // ---- /models/{campaign}/{model}

    QueryResponse model(String campaign, String model, boolean local) {
        String key = RunKey.id(campaign, model);
        KeyQueryMetadata owner = stores.owner(AggregatorTopology.RUN_SUMMARIES, key);
        if (owner == null) {
            return QueryResponse.error(503, "no instance owns model run " + key + " right now (rebalancing)");
        }
        if (!local && !owner.activeHost().equals(stores.self())) {
            return peers.fetch(owner.activeHost(), "/models/" + encode(campaign) + "/" + encode(model) + "?local=true");
        }
        RunSummary summary = stores.<RunSummary>store(AggregatorTopology.RUN_SUMMARIES, owner.partition()).get(key);
        if (summary == null) {
            return QueryResponse.error(404, "no model run " + key);
        }
        ObjectNode body = JSON.createObjectNode();
        RunKey run = summary.run();
        body.put("campaign", run.campaign());
        body.put("family", run.family());
        body.put("model", run.model());
        body.put("suiteVersion", summary.suiteVersion());
        ArrayNode matrix = body.putArray("matrix");
        List<ScoreCell> cells = new ArrayList<>();
        for (RunCells.Cell stage : stores.<RunCells.Cell>prefixValues(AggregatorTopology.RUN_CELLS, key, owner.partition())) {
            if (stage.cell() != null) {
                cells.add(stage.cell());
            }
        }
        cells.sort(Comparator.comparingInt(ScoreCell::stage).thenComparing(ScoreCell::benchmark));
        for (ScoreCell cell : cells) {
            ObjectNode node = matrix.addObject();
            node.put("stage", cell.stage());
            node.put("task", cell.task());
            node.put("benchmark", cell.benchmark());
            node.put("category", cell.category());
            node.put("n", cell.n());
            node.put("correct", cell.correct());
            node.put("accuracyPct", cell.accuracyPct());
            node.put("updatedAt", cell.updatedAt().toString());
        }
        List<StageSlice> slices = stores.<StageSlice>prefixValues(AggregatorTopology.RUN_STAGES, key, owner.partition());
        ArrayNode records = body.putArray("records");
        slices.stream().flatMap(slice -> slice.publishedRecords().stream()).sorted(MetricOrder.METRICS)
                .forEach(r -> records.add(RecordJson.toNode(r)));
        ArrayNode alerts = body.putArray("alerts");
        slices.stream().flatMap(slice -> slice.alerts().values().stream()).sorted(MetricOrder.ALERTS)
                .forEach(a -> alerts.add(RecordJson.toNode(a)));
        return QueryResponse.ok(body);
    }

    // ---- /alerts

    /** Each alert's latest state (FIRING or RESOLVED) last changed at or after {@code since}. */
    QueryResponse alerts(Instant since, boolean local) {
        List<JsonNode> found = new ArrayList<>();
        for (StageSlice slice : stores.<StageSlice>localValues(AggregatorTopology.RUN_STAGES)) {
            for (KnowledgeLossAlert alert : slice.alerts().values()) {
                Instant changed = alert.getResolvedAt() != null ? alert.getResolvedAt() : alert.getCreatedAt();
                if (!changed.isBefore(since)) {
                    found.add(RecordJson.toNode(alert));
                }
            }
        }
        if (!local) {
            for (JsonNode remote : peers.fromOthers(AggregatorTopology.RUN_STAGES, "/alerts?local=true&since=" + encode(since.toString()))) {
                remote.get("alerts").forEach(found::add);
            }
        }
        found.sort(Comparator.<JsonNode, String>comparing(n -> n.get("createdAt").asText())
                .thenComparing(n -> n.get("alertId").asText()));
        ObjectNode body = JSON.createObjectNode();
        body.put("since", since.toString());
        body.putArray("alerts").addAll(found);
        return QueryResponse.ok(body);
    }

    /** A path segment or query value as the other instances' router decodes it (a space as %20, a plus as %2B). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
