package dev.lethe.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.EvalTask;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.registry.InMemorySchemaRegistryClient;
import dev.lethe.schemas.registry.RestSchemaRegistryClient;
import dev.lethe.schemas.registry.SchemaRegistryClient;
import dev.lethe.schemas.topics.Topics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

    private final SchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    static List<Class<? extends SpecificRecord>> recordTypes() {
        return SampleRecords.ALL_TYPES;
    }

    @ParameterizedTest
    @MethodSource("recordTypes")
    <T extends SpecificRecord> void shouldRoundTripEveryFieldWhenSerializingEveryRecordType(Class<T> type) {
        Serde<T> serde = AvroSerdes.of(type, registry);
        T record = SampleRecords.sample(type, 5);

        byte[] bytes = serde.serializer().serialize("lethe.topic", record);
        T back = serde.deserializer().deserialize("lethe.topic", bytes);

        assertThat(back).isEqualTo(record).isNotSameAs(record);
        assertThat(bytes[0]).isZero();
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(registry.latest("lethe.topic-value").id()).isEqualTo(id);
        assertThat(registry.schemaById(id)).isEqualTo(record.getSchema());
    }

    @Test
    void shouldHandOutAFreshClientOnceTheRegistryAtItsAddressStopped() {
        ClusterConfig first = ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:48111");
        ClusterConfig other = ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:48112");
        SchemaRegistryClient before = AvroSerdes.client(first);
        SchemaRegistryClient untouched = AvroSerdes.client(other);

        assertThat(AvroSerdes.client(first)).as("shared while the registry runs").isSameAs(before);
        AvroSerdes.forgetClientsOf("http://127.0.0.1:48111/");
        assertThat(AvroSerdes.client(first)).as("a registry started later on that port may number schemas otherwise")
                .isNotSameAs(before);
        assertThat(AvroSerdes.client(other)).isSameAs(untouched);
    }

    @Test
    void shouldUseKeySubjectWhenConfiguredAsKey() {
        AvroSerializer<EvalTask> serializer = new AvroSerializer<>(registry);
        serializer.configure(Map.of(), true);
        serializer.serialize("lethe.eval-tasks", SampleRecords.sample(EvalTask.class, 1));
        assertThat(registry.subjects()).containsExactly("lethe.eval-tasks-key");
    }

    @Test
    void shouldKeepTombstonesNullWhenValueIsNull() {
        Serde<CheckpointReady> serde = AvroSerdes.of(CheckpointReady.class, registry);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
        assertThat(registry.subjects()).isEmpty();
    }

    @Test
    void shouldNameMagicByteAndTopicWhenBytesAreNotConfluentAvro() {
        Serde<CheckpointReady> serde = AvroSerdes.of(CheckpointReady.class, registry);
        byte[] json = "{\"checkpointId\":\"x\"}".getBytes();
        assertThatThrownBy(() -> serde.deserializer().deserialize("lethe.checkpoints", json))
                .isInstanceOf(AvroSerdeException.class)
                .isInstanceOf(SerializationException.class)
                .hasMessage("unknown magic byte 0x7b (not Confluent Avro wire format) on topic lethe.checkpoints");
    }

    @Test
    void shouldSayTooShortWhenHeaderIsTruncated() {
        Serde<CheckpointReady> serde = AvroSerdes.of(CheckpointReady.class, registry);
        assertThatThrownBy(() -> serde.deserializer().deserialize("lethe.checkpoints", new byte[] {0, 0, 1}))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("record of 3 bytes on topic lethe.checkpoints is too short");
    }

    @Test
    void shouldNameIdAndRegistryWhenSchemaIdIsUnknown() {
        Serde<CheckpointReady> serde = AvroSerdes.of(CheckpointReady.class, registry);
        byte[] bytes = ByteBuffer.allocate(6).put((byte) 0).putInt(42).put((byte) 0).array();
        assertThatThrownBy(() -> serde.deserializer().deserialize("lethe.checkpoints", bytes))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageStartingWith("schema id 42 not found in registry " + registry.location())
                .hasMessageContaining("lethe.checkpoints");
    }

    @Test
    void shouldReportDecodeFailureWhenAvroBodyIsTruncated() {
        Serde<CheckpointReady> serde = AvroSerdes.of(CheckpointReady.class, registry);
        byte[] good = serde.serializer().serialize("t", SampleRecords.sample(CheckpointReady.class, 2));
        byte[] cut = Arrays.copyOf(good, 12);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("cannot decode Avro data on topic t with writer schema id");
    }

    @Test
    void shouldRefuseWhenWriterSchemaIsAnotherRecord() {
        byte[] task = AvroSerdes.of(EvalTask.class, registry).serializer()
                .serialize("t", SampleRecords.sample(EvalTask.class, 1));
        Serde<CheckpointReady> serde = AvroSerdes.of(CheckpointReady.class, registry);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", task))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("dev.lethe.schemas.EvalTask")
                .hasMessageContaining("cannot be read as dev.lethe.schemas.CheckpointReady");
    }

    @Test
    void shouldDecodeIntoOldReaderWhenWriterSchemaHasANewOptionalField() throws Exception {
        Schema current = CheckpointReady.getClassSchema();
        // a newer writer: one optional field more than the generated class knows
        Schema newer = new Schema.Parser().parse(current.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"gpuHours\",\"type\":[\"null\",\"double\"],\"default\":null},"));
        CheckpointReady sample = SampleRecords.sample(CheckpointReady.class, 3);
        GenericRecord written = new GenericData.Record(newer);
        byte[] oldBytes = AvroSerdes.of(CheckpointReady.class, registry).serializer().serialize("scratch", sample);
        GenericRecord asGeneric = (GenericRecord) new org.apache.avro.generic.GenericDatumReader<>(current, current)
                .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(oldBytes, 5, oldBytes.length - 5, null));
        for (Schema.Field f : current.getFields()) {
            written.put(f.name(), asGeneric.get(f.name()));
        }
        written.put("gpuHours", 12.5);
        int id = registry.register("lethe.checkpoints-value", newer);

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(newer).write(written, encoder);
        encoder.flush();

        CheckpointReady read = AvroSerdes.of(CheckpointReady.class, registry).deserializer()
                .deserialize("lethe.checkpoints", out.toByteArray());
        assertThat(read).isEqualTo(sample);
    }

    @Test
    void shouldReadIntoConfiguredTypeWhenBuiltReflectively() {
        byte[] bytes = AvroSerdes.of(DeadLetter.class, registry).serializer()
                .serialize("t", SampleRecords.sample(DeadLetter.class, 4));
        AvroDeserializer<DeadLetter> deserializer = new AvroDeserializer<>(null, registry);
        deserializer.configure(Map.of(AvroSerdeConfig.VALUE_TYPE, DeadLetter.class.getName()), false);
        assertThat(deserializer.deserialize("t", bytes)).isEqualTo(SampleRecords.sample(DeadLetter.class, 4));
    }

    @Test
    void shouldNameTheKeyWhenConfiguredTypeIsNotASpecificRecord() {
        AvroDeserializer<DeadLetter> deserializer = new AvroDeserializer<>(null, registry);
        assertThatThrownBy(() -> deserializer.configure(Map.of(AvroSerdeConfig.VALUE_TYPE, "java.lang.String"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroSerdeConfig.VALUE_TYPE);
    }

    @Test
    void shouldFailNamingTheKeyWhenNoRegistryUrlIsConfigured() {
        AvroSerializer<DeadLetter> serializer = new AvroSerializer<>();
        assertThatThrownBy(() -> serializer.configure(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void shouldRefuseUnregisteredSchemaWhenAutoRegisterIsOff() {
        AvroSerializer<EvalTask> serializer = new AvroSerializer<>(registry);
        serializer.configure(Map.of(AvroSerdeConfig.AUTO_REGISTER, "false"), false);
        assertThatThrownBy(() -> serializer.serialize("lethe.eval-tasks", SampleRecords.sample(EvalTask.class, 1)))
                .isInstanceOf(AvroSerdeException.class)
                .hasMessageContaining("subject lethe.eval-tasks-value")
                .hasMessageContaining("40401");
    }

    @Test
    void shouldWriteWithLatestIdWhenUseLatestVersionIsOn() {
        Schema current = EvalTask.getClassSchema();
        Schema newer = new Schema.Parser().parse(current.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"priority\",\"type\":\"int\",\"default\":5},"));
        registry.register("lethe.eval-tasks-value", current);
        int newerId = registry.register("lethe.eval-tasks-value", newer);
        AvroSerializer<EvalTask> serializer = new AvroSerializer<>(registry);
        serializer.configure(Map.of(AvroSerdeConfig.USE_LATEST_VERSION, true), false);
        EvalTask task = SampleRecords.sample(EvalTask.class, 2);

        byte[] bytes = serializer.serialize("lethe.eval-tasks", task);

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(newerId);
        assertThat(AvroSerdes.of(EvalTask.class, registry).deserializer().deserialize("lethe.eval-tasks", bytes))
                .isEqualTo(task);
    }

    @Test
    void shouldGiveOneIdWhenManyThreadsSerializeConcurrently() throws Exception {
        Serde<CheckpointReady> serde = AvroSerdes.of(CheckpointReady.class, registry);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CheckpointReady>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int seed = i;
                futures.add(pool.submit(() -> serde.deserializer().deserialize("c",
                        serde.serializer().serialize("c", SampleRecords.sample(CheckpointReady.class, seed)))));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()).isEqualTo(SampleRecords.sample(CheckpointReady.class, i));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.versions("c-value")).containsExactly(1);
    }

    @Test
    void shouldShareOneRestClientWhenClusterConfigsAreEqual() {
        ClusterConfig config = ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081").withRegistryUserInfo("u:p");
        SchemaRegistryClient client = AvroSerdes.client(config);

        assertThat(AvroSerdes.client(ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081")
                .withRegistryUserInfo("u:p"))).isSameAs(client);
        assertThat(AvroSerdes.client(ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081"))).isNotSameAs(client);
        assertThat(client).isInstanceOfSatisfying(RestSchemaRegistryClient.class, rest -> {
            assertThat(rest.config().urls()).containsExactly("http://127.0.0.1:8081");
            assertThat(rest.config().userInfo()).isEqualTo("u:p");
        });
        assertThat(AvroSerdes.forTopic(Topics.defaults().checkpoints(), config)).isNotNull();
    }
}
