package dev.lethe.aggregator.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.schemas.json.RecordJson;

/** One answer of the query endpoint: a status and a JSON body ({@code {"error": ...}} for an error). */
record QueryResponse(int status, JsonNode body) {

    static QueryResponse ok(JsonNode body) {
        return new QueryResponse(200, body);
    }

    static QueryResponse error(int status, String message) {
        ObjectNode body = RecordJson.mapper().createObjectNode();
        body.put("error", message);
        return new QueryResponse(status, body);
    }
}
