package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.registry.RegistryClientConfig;
import dev.lethe.schemas.registry.RestSchemaRegistryClient;
import dev.lethe.schemas.serde.AvroSerdes;
import dev.lethe.schemas.serde.SampleRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lethe's serde and registry against Confluent's own code: Debian's python3-confluent-kafka
 * ({@code confluent_kafka.avro.AvroConsumer} / {@code AvroProducer}) decodes what Lethe wrote and writes what
 * Lethe reads, through the embedded registry on a real broker. Missing Python packages fail the test (CI
 * installs them), they never skip it.
 */
class ConfluentPythonInteropIT {

    private static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<? extends SpecificRecord>> TYPES =
            Map.of("CheckpointReady", CheckpointReady.class, "DeadLetter", DeadLetter.class);

    private static TestKafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static Path script;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        requireConfluentPython();
        script = Path.of(ConfluentPythonInteropIT.class.getResource("/interop/confluent_interop.py").toURI());
        broker = TestKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Options.of(broker.bootstrapServers()));
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

    @ParameterizedTest
    @ValueSource(strings = {"CheckpointReady", "DeadLetter"})
    void shouldBeDecodedByConfluentAvroConsumerWhenWrittenByLethe(String typeName) throws Exception {
        String topic = "interop-j2p-" + typeName;
        List<SpecificRecord> sent = samples(TYPES.get(typeName));
        @SuppressWarnings({"unchecked", "rawtypes"})
        Serde<SpecificRecord> serde = (Serde) AvroSerdes.of(TYPES.get(typeName),
                new RestSchemaRegistryClient(RegistryClientConfig.of(registry.url(), null)));
        // AvroConsumer decodes keys as Avro too, so these records carry no key (Lethe's keys are plain strings)
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (SpecificRecord record : sent) {
                producer.send(new ProducerRecord<>(topic, null, serde.serializer().serialize(topic, record))).get();
            }
        }

        String out = python("consume", "--topic", topic, "--group", "j2p-" + typeName,
                "--count", String.valueOf(sent.size()));

        List<JsonNode> values = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            values.add(JSON.readTree(line).get("value"));
        }
        assertThat(values).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(values.get(i)).as("record %d as Python decoded it", i).isEqualTo(plainJson(sent.get(i)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CheckpointReady", "DeadLetter"})
    void shouldDecodeIntoSpecificRecordWhenWrittenByConfluentAvroProducer(String typeName) throws Exception {
        String topic = "interop-p2j-" + typeName;
        Class<? extends SpecificRecord> type = TYPES.get(typeName);
        List<SpecificRecord> expected = samples(type);
        Path schemaFile = Files.writeString(tmp.resolve(typeName + ".avsc"),
                SpecificData.getForClass(type).getSchema(type).toString());
        StringBuilder lines = new StringBuilder();
        for (SpecificRecord record : expected) {
            lines.append(JSON.writeValueAsString(plain(record))).append('\n');
        }
        Path valuesFile = Files.writeString(tmp.resolve(typeName + ".jsonl"), lines);

        String out = python("produce", "--topic", topic, "--schema-file", schemaFile.toString(),
                "--values-file", valuesFile.toString());
        assertThat(JSON.readTree(out.strip()).get("sent").asInt()).isEqualTo(expected.size());

        @SuppressWarnings({"unchecked", "rawtypes"})
        Serde<SpecificRecord> serde = (Serde) AvroSerdes.of(type,
                new RestSchemaRegistryClient(RegistryClientConfig.of(registry.url(), null)));
        List<SpecificRecord> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "group.id", "p2j-" + typeName,
                "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).pollInSameThread().until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(record.value()[0]).as("Confluent magic byte").isZero();
                    received.add(serde.deserializer().deserialize(topic, record.value()));
                }
                return received.size() >= expected.size();
            });
        }
        assertThat(received).containsExactlyElementsOf(expected);
    }

    /** Three samples: two fully populated, one with every optional field null. */
    private static List<SpecificRecord> samples(Class<? extends SpecificRecord> type) {
        List<SpecificRecord> samples = new ArrayList<>();
        samples.add(SampleRecords.sample(type, 1));
        samples.add(SampleRecords.sample(type, 2));
        SpecificRecord sparse = SampleRecords.sample(type, 3);
        for (Schema.Field field : sparse.getSchema().getFields()) {
            if (field.schema().isNullable()) {
                sparse.put(field.pos(), null);
            }
        }
        samples.add(sparse);
        return samples;
    }

    /** The JSON the Python script prints for a value: timestamps as epoch millis, bytes as {"$bytes": base64}. */
    private static JsonNode plainJson(SpecificRecord record) throws IOException {
        return JSON.readTree(JSON.writeValueAsString(plain(record)));
    }

    private static Object plain(Object value) {
        if (value instanceof SpecificRecord record) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Schema.Field field : record.getSchema().getFields()) {
                map.put(field.name(), plain(record.get(field.pos())));
            }
            return map;
        }
        if (value instanceof CharSequence || value instanceof Enum<?> || value instanceof GenericEnumSymbol<?>) {
            return value.toString();
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return Map.of("$bytes", Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k.toString(), plain(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ConfluentPythonInteropIT::plain).toList();
        }
        return value;
    }

    private static String python(String mode, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), mode,
                "--bootstrap", broker.bootstrapServers(), "--registry", registry.url(), "--timeout", "40"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("OMP_NUM_THREADS", "1");
        Path stderr = Files.createTempFile("interop-", ".err");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("python interop script did not finish within 90 s: " + command);
        }
        String errors = Files.readString(stderr);
        Files.deleteIfExists(stderr);
        assertThat(process.exitValue()).as("exit code of %s, stderr:%n%s", command, errors).isZero();
        return new String(stdout, StandardCharsets.UTF_8);
    }

    private static void requireConfluentPython() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing: this test needs Python 3 with python3-confluent-kafka, python3-avro and "
                    + "python3-requests (apt-get install -y python3-confluent-kafka python3-avro python3-requests)");
        }
        Process check = new ProcessBuilder(PYTHON, "-c",
                "import confluent_kafka, avro, requests; from confluent_kafka.avro import AvroConsumer, AvroProducer")
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
            fail("Confluent's Python Avro client is not importable by " + PYTHON + " (" + output.strip() + "); "
                    + "install it: apt-get install -y python3-confluent-kafka python3-avro python3-requests");
        }
    }
}
