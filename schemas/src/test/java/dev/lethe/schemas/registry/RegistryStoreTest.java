package dev.lethe.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class RegistryStoreTest {

    private final RegistryStore store = new RegistryStore("test://store");

    private static Schema record(String... optionalFields) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("R").namespace("t").fields().requiredString("id");
        for (String field : optionalFields) {
            fields = fields.name(field).type().nullable().stringType().stringDefault(null);
        }
        return fields.endRecord();
    }

    private static Schema withRequired(String field) {
        return SchemaBuilder.record("R").namespace("t").fields().requiredString("id").requiredString(field).endRecord();
    }

    @Test
    void shouldGiveGlobalIdsAndPerSubjectVersionsWhenRegistering() {
        RegisteredSchema a1 = store.register("a", record());
        RegisteredSchema a2 = store.register("a", record("x"));
        RegisteredSchema b1 = store.register("b", record("x"));

        assertThat(a1.id()).isEqualTo(1);
        assertThat(a2.id()).isEqualTo(2);
        assertThat(a2.version()).isEqualTo(2);
        assertThat(b1.id()).as("same schema, other subject: same id").isEqualTo(2);
        assertThat(b1.version()).isEqualTo(1);
        assertThat(store.register("a", record())).isEqualTo(a1);
        assertThat(store.subjects()).containsExactly("a", "b");
    }

    @Test
    void shouldRefuseWithConfluentCodeWhenRegistrationBreaksBackwardCompatibility() {
        store.register("a", record());
        assertThatThrownBy(() -> store.register("a", withRequired("must")))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("\"a\"");
                });
        assertThat(store.versions("a")).containsExactly(1);
    }

    @Test
    void shouldCheckNamedVersionAloneAndWholeHistoryWhenLevelIsFullTransitive() {
        // history written under NONE: v1 {id}, v2 {id, x?}, v3 {id, must}
        store.applyConfig("a", CompatibilityLevel.NONE);
        store.register("a", record());
        store.register("a", record("x"));
        store.register("a", withRequired("must"));
        Schema dropsMust = record("x");
        Schema mustWithDefault = SchemaBuilder.record("R").namespace("t").fields().requiredString("id")
                .name("must").type().stringType().stringDefault("d").endRecord();

        store.applyConfig("a", CompatibilityLevel.FORWARD);
        assertThat(store.incompatibilities("a", dropsMust, null)).as("v3 readers need 'must'").isNotEmpty();
        assertThat(store.incompatibilities("a", mustWithDefault, null)).isEmpty();

        store.applyConfig("a", CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(store.incompatibilities("a", mustWithDefault, null)).isEmpty();
        assertThat(store.incompatibilities("a", dropsMust, null)).isNotEmpty();
        // a named version is checked alone, with the non-transitive form of the level
        assertThat(store.incompatibilities("a", dropsMust, 2)).isEmpty();
        assertThat(store.incompatibilities("a", dropsMust, 3)).isNotEmpty();
    }

    @Test
    void shouldDistinguishTransitiveFromLatestOnlyWhenHistoryDiffers() {
        // candidate {id, x without default} reads v2 data (which has x) but not v1 data: only transitive sees v1
        store.register("a", record());
        store.register("a", record("x"));
        Schema xRequired = SchemaBuilder.record("R").namespace("t").fields().requiredString("id")
                .name("x").type().nullable().stringType().noDefault().endRecord();

        assertThat(store.incompatibilities("a", xRequired, null)).isEmpty();
        store.applyConfig("a", CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(store.incompatibilities("a", xRequired, null)).singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    @Test
    void shouldAnswerNotFoundCodesWhenSubjectVersionOrIdIsUnknown() {
        store.register("a", record());
        assertThatThrownBy(() -> store.versions("nope")).hasFieldOrPropertyWithValue("errorCode", 40401);
        assertThatThrownBy(() -> store.schemaByVersion("a", 9)).hasFieldOrPropertyWithValue("errorCode", 40402);
        assertThatThrownBy(() -> store.schemaById(99)).hasFieldOrPropertyWithValue("errorCode", 40403);
        assertThatThrownBy(() -> store.lookup("a", record("zz"))).hasFieldOrPropertyWithValue("errorCode", 40403);
        assertThatThrownBy(() -> RegistryStore.parse("{\"type\":\"record\"}", "here"))
                .hasFieldOrPropertyWithValue("errorCode", 42201);
        assertThatThrownBy(() -> RegistryStore.parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":"
                + "[{\"name\":\"n\",\"type\":\"int\",\"default\":\"abc\"}]}", "here"))
                .hasFieldOrPropertyWithValue("errorCode", 42201);
    }

    @Test
    void shouldRebuildTheSameStateWhenReplayedOutOfBand() {
        RegisteredSchema first = store.register("a", record());
        RegisteredSchema second = store.register("a", record("x"));
        store.applyConfig(null, CompatibilityLevel.FULL);

        RegistryStore replayed = new RegistryStore("test://replayed");
        replayed.applySchema(first);
        replayed.applySchema(second);
        replayed.applySchema(second); // a duplicate log record changes nothing
        replayed.applyConfig(null, CompatibilityLevel.FULL);

        assertThat(replayed.versions("a")).containsExactly(1, 2);
        assertThat(replayed.globalConfig()).isEqualTo(CompatibilityLevel.FULL);
        assertThat(replayed.register("b", record("y")).id()).isEqualTo(3);
    }
}
