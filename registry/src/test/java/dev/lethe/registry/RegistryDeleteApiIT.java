package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry's Confluent endpoints beyond register and read: soft then permanent deletes of versions and subjects
 * (40404-40407), their replay after a restart, DELETE /config/{subject}, compatibility against all versions,
 * the uses of a schema id, ?subjectPrefix= and 415 for a body that is not JSON.
 */
class RegistryDeleteApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static TestKafkaBroker broker;
    private static EmbeddedSchemaRegistry.Options options;

    @BeforeAll
    static void startBroker() {
        broker = TestKafkaBroker.start();
        options = EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers()).withTopic("_schemas-deletes");
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldDeleteSoftThenPermanentlyWithConfluentsCodesAndKeepThatAcrossARestart() throws Exception {
        int firstId;
        int secondId;
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(options)) {
            String url = registry.url();
            put(url + "/config/d", "{\"compatibility\":\"NONE\"}");
            firstId = post(url + "/subjects/d/versions", schemaBody(record("A"))).get("id").asInt();
            secondId = post(url + "/subjects/d/versions", schemaBody(record("B"))).get("id").asInt();

            assertError(send("DELETE", url + "/subjects/d/versions/2?permanent=true", null), 404, 40407);
            assertThat(send("DELETE", url + "/subjects/d/versions/2", null).body()).isEqualTo("2");
            assertError(send("DELETE", url + "/subjects/d/versions/2", null), 404, 40406);
            assertThat(get(url + "/subjects/d/versions").body()).isEqualTo("[1]");
            assertThat(get(url + "/subjects/d/versions?deleted=true").body()).isEqualTo("[1,2]");
            assertError(get(url + "/subjects/d/versions/2"), 404, 40402);
            assertThat(get(url + "/subjects/d/versions/2?deleted=true").statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(get(url + "/subjects/d/versions/latest").body()).get("version").asInt()).isEqualTo(1);

            assertError(send("DELETE", url + "/subjects/d?permanent=true", null), 404, 40405);
            assertThat(send("DELETE", url + "/subjects/d", null).body()).isEqualTo("[1]");
            assertError(send("DELETE", url + "/subjects/d", null), 404, 40404);
            assertThat(get(url + "/subjects").body()).doesNotContain("\"d\"");
            assertThat(get(url + "/subjects?deleted=true").body()).contains("\"d\"");
            assertThat(send("DELETE", url + "/subjects/d/versions/2?permanent=true", null).body()).isEqualTo("2");
        }
        try (EmbeddedSchemaRegistry again = EmbeddedSchemaRegistry.start(options)) {
            String url = again.url();
            assertThat(get(url + "/subjects/d/versions?deleted=true").body()).as("replayed").isEqualTo("[1]");
            assertError(get(url + "/subjects/d/versions"), 404, 40401);
            assertThat(send("DELETE", url + "/subjects/d?permanent=true", null).body()).isEqualTo("[1]");
            assertThat(get(url + "/subjects?deleted=true").body()).doesNotContain("\"d\"");
            // ids are never handed out twice, even once the schemas that had them are gone for good
            int next = post(url + "/subjects/e/versions", schemaBody(record("C"))).get("id").asInt();
            assertThat(next).isGreaterThan(Math.max(firstId, secondId));
        }
    }

    @Test
    void shouldAnswerConfluentsOtherEndpointsWhenAsked() throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(options.withTopic("_schemas-other"))) {
            String url = registry.url();
            int id = post(url + "/subjects/p.a/versions", schemaBody(record("Shared"))).get("id").asInt();
            post(url + "/subjects/p.b/versions", schemaBody(record("Shared")));
            post(url + "/subjects/q.c/versions", schemaBody(record("Other")));

            assertThat(get(url + "/subjects?subjectPrefix=p.").body()).isEqualTo("[\"p.a\",\"p.b\"]");
            assertThat(get(url + "/schemas/ids/" + id + "/subjects").body()).isEqualTo("[\"p.a\",\"p.b\"]");
            assertThat(get(url + "/schemas/ids/" + id + "/versions").body())
                    .isEqualTo("[{\"subject\":\"p.a\",\"version\":1},{\"subject\":\"p.b\",\"version\":1}]");
            assertError(get(url + "/schemas/ids/9999/subjects"), 404, 40403);

            // BACKWARD against all versions: a new required field without a default cannot read the old data
            Schema breaking = SchemaBuilder.record("Shared").namespace("dev.lethe.it").fields()
                    .requiredString("id").requiredInt("added").endRecord();
            assertThat(post(url + "/compatibility/subjects/p.a/versions", schemaBody(breaking)).get("is_compatible").asBoolean())
                    .isFalse();
            assertThat(post(url + "/compatibility/subjects/p.a/versions", schemaBody(record("Shared"))).get("is_compatible").asBoolean())
                    .isTrue();

            put(url + "/config/p.a", "{\"compatibility\":\"FULL\"}");
            assertThat(JSON.readTree(send("DELETE", url + "/config/p.a", null).body()).get("compatibilityLevel").asText()).isEqualTo("FULL");
            assertError(get(url + "/config/p.a"), 404, 40408);
            assertError(send("DELETE", url + "/config/p.a", null), 404, 40408);

            HttpResponse<String> plainText = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/subjects/p.a/versions"))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(schemaBody(record("X")))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertError(plainText, 415, 415);
        }
    }

    private static Schema record(String name) {
        return SchemaBuilder.record(name).namespace("dev.lethe.it").fields().requiredString("id").endRecord();
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static void assertError(HttpResponse<String> answer, int status, int code) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(JSON.readTree(answer.body()).get("error_code").asInt()).as(answer.body()).isEqualTo(code);
    }

    private static JsonNode post(String url, String body) throws Exception {
        HttpResponse<String> answer = send("POST", url, body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static void put(String url, String body) throws Exception {
        HttpResponse<String> answer = send("PUT", url, body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return send("GET", url, null);
    }

    private static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/vnd.schemaregistry.v1+json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
