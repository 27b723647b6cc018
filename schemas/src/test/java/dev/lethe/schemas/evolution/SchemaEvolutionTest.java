package dev.lethe.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.CheckpointReady;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Keeps every record BACKWARD and FORWARD compatible with the previous release, whose .avsc files are
 * committed under src/test/resources/schemas-v1 (refresh that copy when a release ships, never edit it).
 * New readers must read old data and old readers new data, because producers, workers and the aggregator
 * are upgraded one at a time against the same topics.
 */
class SchemaEvolutionTest {

    private static final Path CURRENT = Path.of("src", "main", "avro");

    @Test
    void shouldKeepEverySchemaBackwardAndForwardCompatibleWhenComparedWithThePreviousRelease() throws Exception {
        Map<String, Schema> previous = load(previousRelease());
        Map<String, Schema> current = load(CURRENT);

        assertThat(previous).as("the previous release's schemas").isNotEmpty();
        assertThat(current.keySet()).as("no type of the previous release may disappear").containsAll(previous.keySet());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Schema> old : previous.entrySet()) {
            problems.addAll(problems(old.getKey(), old.getValue(), current.get(old.getKey())));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldCatchABreakingChangeWhenAFieldIsAddedWithoutDefault() throws Exception {
        Schema old = load(previousRelease()).get(CheckpointReady.getClassSchema().getFullName());
        Schema broken = withExtraField(old, "{\"name\":\"gpuHours\",\"type\":\"double\"}");

        assertThat(problems("CheckpointReady", old, broken))
                .singleElement().asString()
                .contains("BACKWARD").contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("gpuHours");
        // the same field with a default is fine both ways
        assertThat(problems("CheckpointReady", old,
                withExtraField(old, "{\"name\":\"gpuHours\",\"type\":[\"null\",\"double\"],\"default\":null}"))).isEmpty();
    }

    @Test
    void shouldCatchABreakingChangeWhenARequiredFieldIsRemoved() throws Exception {
        Schema old = load(previousRelease()).get(CheckpointReady.getClassSchema().getFullName());
        Schema withoutCampaign = new Schema.Parser().setValidateDefaults(true)
                .parse(old.toString().replaceFirst("\\{\"name\":\"campaign\",[^}]*\\},", ""));
        assertThat(withoutCampaign.getField("campaign")).isNull();

        assertThat(problems("CheckpointReady", old, withoutCampaign))
                .singleElement().asString().contains("FORWARD").contains("campaign");
    }

    private static List<String> problems(String name, Schema old, Schema current) {
        List<String> problems = new ArrayList<>();
        check(name, "BACKWARD (new reads old)", SchemaCompatibility.checkReaderWriterCompatibility(current, old), problems);
        check(name, "FORWARD (old reads new)", SchemaCompatibility.checkReaderWriterCompatibility(old, current), problems);
        return problems;
    }

    private static void check(String name, String direction, SchemaCompatibility.SchemaPairCompatibility result,
                              List<String> problems) {
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add(name + " " + direction + ": " + result.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation() + " " + i.getMessage()).toList());
        }
    }

    private static Schema withExtraField(Schema record, String fieldJson) {
        return new Schema.Parser().parse(record.toString().replaceFirst("\"fields\":\\[", "\"fields\":[" + fieldJson + ","));
    }

    private static Path previousRelease() throws URISyntaxException {
        return Path.of(SchemaEvolutionTest.class.getResource("/schemas-v1").toURI());
    }

    /** Every named type in a directory of .avsc files, enums first so the records that use them parse. */
    static Map<String, Schema> load(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new TreeMap<>();
        List<Path> records = new ArrayList<>();
        for (Path file : files) {
            String text = Files.readString(file);
            if (text.matches("(?s)\\s*\\{\\s*\"type\"\\s*:\\s*\"enum\".*")) {
                Schema schema = parser.parse(text);
                schemas.put(schema.getFullName(), schema);
            } else {
                records.add(file);
            }
        }
        for (Path file : records) {
            Schema schema = parser.parse(Files.readString(file));
            schemas.put(schema.getFullName(), schema);
        }
        return schemas;
    }
}
