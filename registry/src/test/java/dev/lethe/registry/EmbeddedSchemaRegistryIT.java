package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.registry.CompatibilityLevel;
import dev.lethe.schemas.registry.RegisteredSchema;
import dev.lethe.schemas.registry.RegistryClientConfig;
import dev.lethe.schemas.registry.RestSchemaRegistryClient;
import dev.lethe.schemas.registry.SchemaRegistryException;
import dev.lethe.schemas.serde.AvroDeserializer;
import dev.lethe.schemas.serde.AvroSerdeConfig;
import dev.lethe.schemas.serde.AvroSerializer;
import dev.lethe.schemas.serde.SampleRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded registry on a real broker: REST contract, error shapes, persistence, auth, client retries. */
class EmbeddedSchemaRegistryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static TestKafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static RestSchemaRegistryClient client;

    @BeforeAll
    static void startBrokerAndRegistry() {
        broker = TestKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers()));
        client = new RestSchemaRegistryClient(RegistryClientConfig.of(registry.url(), null));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static Schema v1(String name) {
        return SchemaBuilder.record(name).namespace("dev.lethe.it").fields()
                .requiredString("id").requiredInt("count").endRecord();
    }

    static Schema v2WithDefault(String name) {
        return SchemaBuilder.record(name).namespace("dev.lethe.it").fields()
                .requiredString("id").requiredInt("count")
                .name("note").type().nullable().stringType().stringDefault(null)
                .endRecord();
    }

    static Schema withRequiredField(String name) {
        return SchemaBuilder.record(name).namespace("dev.lethe.it").fields()
                .requiredString("id").requiredInt("count").requiredLong("mustHave").endRecord();
    }

    @Test
    void shouldRegisterLookUpAndEvolveWhenChangesAreCompatible() {
        String subject = "evolve-value";
        int id1 = client.register(subject, v1("Evolve"));
        assertThat(client.register(subject, v1("Evolve"))).isEqualTo(id1);
        RegisteredSchema looked = client.lookup(subject, v1("Evolve"));
        assertThat(looked.version()).isEqualTo(1);
        assertThat(looked.id()).isEqualTo(id1);

        assertThat(client.testCompatibility(subject, v2WithDefault("Evolve"))).isTrue();
        assertThat(client.testCompatibility(subject, withRequiredField("Evolve"))).isFalse();
        int id2 = client.register(subject, v2WithDefault("Evolve"));

        assertThat(id2).isNotEqualTo(id1);
        assertThat(client.versions(subject)).containsExactly(1, 2);
        assertThat(client.latest(subject).id()).isEqualTo(id2);
        assertThat(client.schemaByVersion(subject, 1).schema()).isEqualTo(v1("Evolve"));
        assertThat(client.schemaById(id2)).isEqualTo(v2WithDefault("Evolve"));
        assertThat(client.subjects()).contains(subject);
    }

    @Test
    void shouldShareOneIdWhenTheSameSchemaIsRegisteredUnderTwoSubjectsInAnotherLayout() throws Exception {
        int id = client.register("same-a-value", v1("Same"));
        // the same schema as differently formatted JSON (Python clients send their own rendering)
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(v1("Same").toString()));
        HttpResponse<String> answer = post("/subjects/same-b-value/versions",
                JSON.createObjectNode().put("schema", pretty).toString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).get("id").asInt()).isEqualTo(id);
    }

    @Test
    void shouldAnswer409WithConfluentShapeWhenSchemaIsIncompatible() throws Exception {
        client.register("incompatible-value", v1("Incompatible"));
        HttpResponse<String> answer = post("/subjects/incompatible-value/versions",
                JSON.createObjectNode().put("schema", withRequiredField("Incompatible").toString()).toString());

        assertThat(answer.statusCode()).isEqualTo(409);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue(RestSchemaRegistryClient.CONTENT_TYPE);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("error_code").asInt()).isEqualTo(409);
        assertThat(body.get("message").asText()).contains("incompatible").contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThatThrownBy(() -> client.register("incompatible-value", withRequiredField("Incompatible")))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                });
        assertThat(client.versions("incompatible-value")).containsExactly(1);
    }

    @Test
    void shouldAnswerConfluentErrorCodesWhenRequestsAreWrong() throws Exception {
        client.register("errors-value", v1("Errors"));
        assertError(post("/subjects/errors-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"record\\\"}\"}"), 422, 42201);
        assertError(post("/subjects/errors-value/versions", "{\"schema\":\"not json\"}"), 422, 42201);
        assertError(post("/subjects/errors-value/versions", "{\"nothing\":1}"), 422, 42201);
        assertError(get("/subjects/no-such-subject/versions"), 404, 40401);
        assertError(get("/subjects/errors-value/versions/7"), 404, 40402);
        assertError(get("/subjects/errors-value/versions/zero"), 422, 42202);
        assertError(get("/schemas/ids/987654"), 404, 40403);
        assertError(post("/subjects/errors-value", JSON.createObjectNode()
                .put("schema", v2WithDefault("Errors").toString()).toString()), 404, 40403);
        assertError(put("/config", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
        assertError(get("/config/errors-value"), 404, 40408);
        assertError(get("/no/such/path"), 404, 404);

        assertThatThrownBy(() -> client.schemaById(987654))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(registry.url())
                .hasMessageContaining("40403");
    }

    @Test
    void shouldServeRawSchemaAndVersionJsonWhenAskedByPath() throws Exception {
        int id = client.register("raw-value", v1("Raw"));
        JsonNode version = JSON.readTree(get("/subjects/raw-value/versions/latest").body());
        assertThat(version.get("subject").asText()).isEqualTo("raw-value");
        assertThat(version.get("version").asInt()).isEqualTo(1);
        assertThat(version.get("id").asInt()).isEqualTo(id);
        assertThat(new Schema.Parser().parse(version.get("schema").asText())).isEqualTo(v1("Raw"));
        assertThat(new Schema.Parser().parse(get("/subjects/raw-value/versions/1/schema").body())).isEqualTo(v1("Raw"));
        assertThat(new Schema.Parser().parse(get("/schemas/ids/" + id + "/schema").body())).isEqualTo(v1("Raw"));
        assertThat(JSON.readTree(get("/schemas/ids/" + id).body()).get("schema").asText()).isEqualTo(v1("Raw").toString());
    }

    @Test
    void shouldApplyGlobalAndSubjectConfigWhenChanged() throws Exception {
        assertThat(JSON.readTree(get("/config").body()).get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        HttpResponse<String> put = put("/config/config-value", "{\"compatibility\":\"FORWARD\"}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(put.body()).get("compatibility").asText()).isEqualTo("FORWARD");
        assertThat(client.getConfig("config-value")).isEqualTo(CompatibilityLevel.FORWARD);
        assertThat(client.getConfig("other-config-value")).isEqualTo(CompatibilityLevel.BACKWARD);

        // FORWARD: a new required field is fine (old readers ignore it), removing a field without default is not
        client.register("config-value", v1("Config"));
        assertThat(client.register("config-value", withRequiredField("Config"))).isPositive();
        Schema onlyId = SchemaBuilder.record("Config").namespace("dev.lethe.it").fields().requiredString("id").endRecord();
        assertThat(client.testCompatibility("config-value", onlyId)).isFalse();

        client.setConfig("config-value", CompatibilityLevel.NONE);
        assertThat(client.register("config-value", onlyId)).isPositive();
        assertThat(client.versions("config-value")).containsExactly(1, 2, 3);
    }

    @Test
    void shouldKeepIdsAndConfigWhenRegistryRestartsOnTheSameBroker() {
        EmbeddedSchemaRegistry.Options options = EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers())
                .withTopic("_schemas-restart");
        int id1;
        int id2;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(options)) {
            RestSchemaRegistryClient c = new RestSchemaRegistryClient(RegistryClientConfig.of(first.url(), null));
            id1 = c.register("restart-value", v1("Restart"));
            id2 = c.register("restart-value", v2WithDefault("Restart"));
            c.register("restart-other-value", v1("Other"));
            c.setConfig("restart-value", CompatibilityLevel.FULL_TRANSITIVE);
            c.setConfig(null, CompatibilityLevel.FULL);
        }
        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(options)) {
            RestSchemaRegistryClient c = new RestSchemaRegistryClient(RegistryClientConfig.of(second.url(), null));
            assertThat(c.schemaById(id1)).isEqualTo(v1("Restart"));
            assertThat(c.schemaById(id2)).isEqualTo(v2WithDefault("Restart"));
            assertThat(c.versions("restart-value")).containsExactly(1, 2);
            assertThat(c.lookup("restart-value", v1("Restart")).id()).isEqualTo(id1);
            assertThat(c.register("restart-value", v2WithDefault("Restart"))).isEqualTo(id2);
            assertThat(c.getConfig("restart-value")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
            assertThat(c.getConfig(null)).isEqualTo(CompatibilityLevel.FULL);
            int next = c.register("restart-new-value", v1("Fresh"));
            assertThat(next).isGreaterThan(Math.max(id1, id2)).isGreaterThan(c.lookup("restart-other-value", v1("Other")).id());
        }
    }

    @Test
    void shouldAcceptRightCredentialsAndRefuseOthersWhenBasicAuthIsOn() throws Exception {
        try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.start(
                EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers()).withTopic("_schemas-auth")
                        .withUserInfo("lethe:s3cret"))) {
            RestSchemaRegistryClient good = RestSchemaRegistryClient.fromConfig(Map.of(
                    RegistryClientConfig.URL, secured.url(),
                    RegistryClientConfig.CREDENTIALS_SOURCE, "USER_INFO",
                    RegistryClientConfig.USER_INFO, "lethe:s3cret"));
            assertThat(good.register("auth-value", v1("Auth"))).isPositive();
            assertThat(good.subjects()).containsExactly("auth-value");

            RestSchemaRegistryClient wrong = new RestSchemaRegistryClient(RegistryClientConfig.of(secured.url(), "lethe:guess"));
            RestSchemaRegistryClient none = new RestSchemaRegistryClient(RegistryClientConfig.of(secured.url(), null));
            for (RestSchemaRegistryClient refused : List.of(wrong, none)) {
                assertThatThrownBy(refused::subjects)
                        .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                            assertThat(e.httpStatus()).isEqualTo(401);
                            assertThat(e.getMessage()).contains(secured.url());
                        });
            }
            HttpResponse<String> raw = HTTP.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            "lethe:wrong".getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            assertError(raw, 401, 401);
        }
    }

    @Test
    void shouldRetryThenNameTheUrlsWhenRegistryIsDown() {
        String deadUrl;
        try (EmbeddedSchemaRegistry shortLived = EmbeddedSchemaRegistry.start(
                EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers()).withTopic("_schemas-down"))) {
            deadUrl = shortLived.url();
        }
        RestSchemaRegistryClient down = new RestSchemaRegistryClient(RegistryClientConfig.of(deadUrl, null)
                .withRetries(2, Duration.ofMillis(100), Duration.ofMillis(1000)));
        long started = System.nanoTime();
        assertThatThrownBy(() -> down.schemaById(1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("schema registry unavailable").contains(deadUrl)
                            .contains("after 3 attempt(s)");
                });
        // two backoffs happened: 100 ms then 200 ms
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

        // with a second URL that is up, the same client configuration succeeds
        RestSchemaRegistryClient failover = new RestSchemaRegistryClient(RegistryClientConfig.of(
                deadUrl + "," + registry.url(), null).withRetries(0, Duration.ZERO, Duration.ZERO));
        assertThat(failover.register("failover-value", v1("Failover"))).isPositive();
    }

    @Test
    void shouldRoundTripThroughKafkaWhenSerdesAreBuiltReflectively() {
        String topic = "serde-roundtrip";
        Map<String, Object> producerProps = Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", AvroSerializer.class.getName(),
                RegistryClientConfig.URL, registry.url());
        List<CheckpointReady> sent = new ArrayList<>();
        try (KafkaProducer<String, CheckpointReady> producer = new KafkaProducer<>(producerProps)) {
            for (int i = 0; i < 5; i++) {
                CheckpointReady record = SampleRecords.sample(CheckpointReady.class, i);
                sent.add(record);
                producer.send(new ProducerRecord<>(topic, "k" + i, record));
            }
            producer.send(new ProducerRecord<>(topic, "tombstone", null));
            producer.flush();
        }
        Map<String, Object> consumerProps = Map.of("bootstrap.servers", broker.bootstrapServers(),
                "group.id", "serde-it", "auto.offset.reset", "earliest",
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", AvroDeserializer.class.getName(),
                AvroSerdeConfig.VALUE_TYPE, CheckpointReady.class.getName(),
                RegistryClientConfig.URL, registry.url());
        List<ConsumerRecord<String, CheckpointReady>> received = new ArrayList<>();
        try (KafkaConsumer<String, CheckpointReady> consumer = new KafkaConsumer<>(consumerProps)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.size() >= 6;
            });
        }
        assertThat(received).hasSize(6);
        assertThat(received.subList(0, 5)).extracting(ConsumerRecord::value).containsExactlyElementsOf(sent);
        assertThat(received.get(5).value()).isNull();
        assertThat(client.latest(topic + "-value").schema()).isEqualTo(CheckpointReady.getClassSchema());
    }

    private static void assertError(HttpResponse<String> answer, int status, int code) throws Exception {
        assertThat(answer.statusCode()).as(answer.uri() + " " + answer.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("error_code").asInt()).as(answer.body()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
