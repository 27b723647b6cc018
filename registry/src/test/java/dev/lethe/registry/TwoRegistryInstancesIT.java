package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two {@code lethe registry} instances on one {@code _schemas} topic: the newer one claims the log as its only
 * writer, the older one stops serving (503, Confluent's 50004) instead of handing out ids of its own, so no id
 * ever means two schemas.
 */
class TwoRegistryInstancesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static TestKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = TestKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldHandOutEveryIdOnceAndStopTheOlderInstanceWhenASecondInstanceStartsOnTheSameLog() throws Exception {
        EmbeddedSchemaRegistry.Options options = EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers()).withTopic("_schemas-two");
        try (EmbeddedSchemaRegistry older = EmbeddedSchemaRegistry.start(options)) {
            int first = register(older.url(), "s0", schema(0)).get("id").asInt();
            try (EmbeddedSchemaRegistry newer = EmbeddedSchemaRegistry.start(options)) {
                // ten different schemas at once, half sent to each instance
                ExecutorService pool = Executors.newFixedThreadPool(10);
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 1; i <= 10; i++) {
                    String url = i % 2 == 0 ? older.url() : newer.url();
                    int n = i;
                    answers.add(pool.submit(() -> post(url + "/subjects/s" + n + "/versions", schema(n))));
                }
                Map<Integer, String> idToSubject = new HashMap<>();
                for (int i = 1; i <= 10; i++) {
                    HttpResponse<String> answer = answers.get(i - 1).get();
                    if (i % 2 == 0) {
                        assertThat(answer.statusCode()).as("the older instance refuses writes").isEqualTo(503);
                        assertThat(JSON.readTree(answer.body()).get("error_code").asInt()).isEqualTo(RegistryHttpHandler.NOT_THE_WRITER);
                    } else {
                        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                        int id = JSON.readTree(answer.body()).get("id").asInt();
                        assertThat(idToSubject.put(id, "s" + i)).as("id " + id + " handed out twice").isNull();
                    }
                }
                pool.shutdown();
                assertThat(idToSubject).doesNotContainKey(first).hasSize(5);
                // once replaced, the older instance answers nothing from its stale copy, reads included
                assertThat(get(older.url() + "/schemas/ids/" + first).statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(get(newer.url() + "/schemas/ids/" + first).body()).get("schema").asText())
                        .isEqualTo(schema(0).toString());
                for (Map.Entry<Integer, String> e : idToSubject.entrySet()) {
                    JsonNode latest = JSON.readTree(get(newer.url() + "/subjects/" + e.getValue() + "/versions/latest").body());
                    assertThat(latest.get("id").asInt()).isEqualTo(e.getKey());
                }
            }
            // the newer instance is gone; a third start replays the same ids
            try (EmbeddedSchemaRegistry third = EmbeddedSchemaRegistry.start(options)) {
                assertThat(get(third.url() + "/schemas/ids/" + first).statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(get(third.url() + "/subjects").body())).hasSize(6);
            }
        }
    }

    private static Schema schema(int n) {
        return SchemaBuilder.record("R" + n).namespace("dev.lethe.it").fields().requiredString("f" + n).endRecord();
    }

    private static JsonNode register(String url, String subject, Schema schema) throws Exception {
        HttpResponse<String> answer = post(url + "/subjects/" + subject + "/versions", schema);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static HttpResponse<String> post(String url, Schema schema) throws Exception {
        String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
