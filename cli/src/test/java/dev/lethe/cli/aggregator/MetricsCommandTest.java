package dev.lethe.cli.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.cli.LetheMain;
import dev.lethe.schemas.json.RecordJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {

        List<JsonNode> lines() throws Exception {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    nodes.add(RecordJson.mapper().readTree(line));
                }
            }
            return nodes;
        }
    }

    private static Run lethe(String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = LetheMain.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private Path csv(String... lines) throws Exception {
        Path file = dir.resolve("scores.csv");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private static JsonNode find(List<JsonNode> nodes, String model, int stage, String scope, String benchmark) {
        return nodes.stream()
                .filter(n -> n.path("model").asText("null").equals(model == null ? "null" : model)
                        && n.get("stage").asInt() == stage && n.get("scope").asText().equals(scope)
                        && n.path("benchmark").asText("null").equals(benchmark == null ? "null" : benchmark))
                .findFirst().orElseThrow(() -> new AssertionError("no " + scope + " " + model + "@" + stage + " " + benchmark));
    }

    @Test
    void shouldPrintExactRecordsInDocumentedOrderWhenRowsAreShuffled() throws Exception {
        Path scores = csv(
                "campaign,family,model,stage,benchmark,category,n,correct,items",
                "c1,mlp,b,1,e1,dk,4,2,1100",
                "c1,mlp,a,2,e1,dk,4,1,1000",
                "c1,mlp,a,0,e1,dk,4,4,1111",
                "c1,mlp,b,0,e1,dk,4,4,1111",
                "c1,mlp,a,1,e1,dk,4,3,1110");

        Run run = lethe("metrics", "--scores", scores.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> lines = run.lines();
        // a: 3 stages x (ELEMENT, CATEGORY, MODEL); b: 2 stages x 3; FAMILY dk at stages 0, 1, 2
        assertThat(lines).hasSize(18);
        JsonNode element = find(lines, "a", 2, "ELEMENT", "e1");
        assertThat(element.get("baselineScore").asDouble()).isEqualTo(100.0);
        assertThat(element.get("score").asDouble()).isEqualTo(25.0);
        assertThat(element.get("fgPct").asDouble()).isCloseTo(50.0, within(1e-9)); // mean(25, 75)
        assertThat(element.get("finalDropPct").asDouble()).isCloseTo(75.0, within(1e-9));
        assertThat(element.get("maxForgettingPp").asDouble()).isCloseTo(75.0, within(1e-9));
        assertThat(element.get("deltaPrevPp").asDouble()).isCloseTo(-50.0, within(1e-9));
        assertThat(element.get("stderrPp").asDouble()).isCloseTo(25.0, within(1e-9)); // 100*sqrt(.25*.75/3)
        assertThat(element.get("n").asInt()).isEqualTo(4);
        assertThat(element.get("stagesCovered").asInt()).isEqualTo(2);
        assertThat(element.get("category").asText()).isEqualTo("dk");
        assertThat(element.get("updatedAt").asText()).isEqualTo("1970-01-01T00:00:00Z");
        JsonNode family = find(lines, null, 1, "FAMILY", null);
        assertThat(family.get("fgPct").asDouble()).isCloseTo(37.5, within(1e-9)); // mean(25 for a, 50 for b)
        assertThat(family.get("models").asInt()).isEqualTo(2);
        assertThat(family.get("model").isNull()).isTrue();
        // order: family, model (FAMILY records last), stage, scope
        assertThat(lines.get(0).get("model").asText()).isEqualTo("a");
        assertThat(lines.get(0).get("scope").asText()).isEqualTo("ELEMENT");
        assertThat(lines.get(2).get("scope").asText()).isEqualTo("MODEL");
        assertThat(lines.get(15).get("scope").asText()).isEqualTo("FAMILY");
        assertThat(lines.stream().map(n -> n.get("model").asText("null") + n.get("stage").asInt() + n.get("scope").asText()).toList())
                .startsWith("a0ELEMENT", "a0CATEGORY", "a0MODEL", "a1ELEMENT")
                .endsWith("b1MODEL", "null0FAMILY", "null1FAMILY", "null2FAMILY");
    }

    @Test
    void shouldAppendAPairedAlertWhenAlertsAreAskedFor() throws Exception {
        String before = "1".repeat(90) + "0".repeat(10);
        String after = "1".repeat(60) + "0".repeat(40); // b = 30, c = 0
        Path scores = csv("campaign,family,model,stage,benchmark,category,n,correct,items",
                "c1,mlp,a,0,e1,dk,100,90," + before,
                "c1,mlp,a,1,e1,dk,100,60," + after);

        Run run = lethe("metrics", "--scores", scores.toString(), "--alerts");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> alerts = run.lines().stream().filter(n -> n.has("alertId")).toList();
        assertThat(alerts).hasSize(2);
        JsonNode drop = alerts.stream().filter(a -> a.get("rule").asText().equals("PAIRED_DROP")).findFirst().orElseThrow();
        assertThat(drop.get("severity").asText()).isEqualTo("CRITICAL");
        assertThat(drop.get("b").asInt()).isEqualTo(30);
        assertThat(drop.get("c").asInt()).isZero();
        assertThat(drop.get("pValue").asDouble()).isCloseTo(2 * Math.pow(0.5, 30), within(1e-15));
        assertThat(drop.get("dropPp").asDouble()).isCloseTo(30.0, within(1e-9));
        assertThat(alerts.stream().map(a -> a.get("rule").asText())).contains("FG_THRESHOLD"); // fg 33.3 >= 15
        assertThat(run.lines().get(run.lines().size() - 1).has("alertId")).isTrue();
    }

    @Test
    void shouldPublishGemAndChaudhryOnTheModelRecordOnlyWhenTheCsvNamesTheTrainedTasks() throws Exception {
        // tasks trained: stage 1 A, stage 2 B, stage 3 A again; [stage][A, B] correct of 10: {1,1} {9,2} {6,8} {8,7};
        // a MODEL record averages the categories other than task, so the run has a dk element too
        List<String> rows = new ArrayList<>(List.of("campaign,family,model,stage,benchmark,category,n,correct,task"));
        int[][] correct = {{1, 1}, {9, 2}, {6, 8}, {8, 7}};
        String[] trained = {"", "A", "B", "A"};
        for (int stage = 0; stage < correct.length; stage++) {
            rows.add("c1,mlp,a," + stage + ",A,task,10," + correct[stage][0] + "," + trained[stage]);
            rows.add("c1,mlp,a," + stage + ",B,task,10," + correct[stage][1] + "," + trained[stage]);
            rows.add("c1,mlp,a," + stage + ",e1,dk,10," + (9 - stage) + "," + trained[stage]); // a MODEL record needs one
        }
        Run withTasks = lethe("metrics", "--scores", csv(rows.toArray(String[]::new)).toString());
        assertThat(withTasks.exitCode()).as(withTasks.err()).isZero();
        JsonNode model = find(withTasks.lines(), "a", 3, "MODEL", null);
        assertThat(model.get("accPct").asDouble()).isCloseTo((80 + 70) / 2.0, within(1e-9)); // A once, at stage 3
        assertThat(model.get("bwtPp").asDouble()).isCloseTo(70 - 80, within(1e-9)); // B, last trained at 2
        assertThat(model.get("avgForgettingPp").asDouble()).isCloseTo(80 - 70, within(1e-9)); // B: max(10, 20, 80) - 70

        List<String> untrained = rows.stream().map(row -> row.substring(0, row.lastIndexOf(','))).toList();
        Run withoutTasks = lethe("metrics", "--scores", csv(untrained.toArray(String[]::new)).toString());
        assertThat(withoutTasks.exitCode()).as(withoutTasks.err()).isZero();
        JsonNode plain = find(withoutTasks.lines(), "a", 3, "MODEL", null);
        assertThat(plain.get("accPct").isNull()).isTrue();
        assertThat(plain.get("bwtPp").isNull()).isTrue();
        assertThat(plain.get("avgForgettingPp").isNull()).isTrue();
    }

    @Test
    void shouldExitOneNamingTheLineWhenARowIsBad() throws Exception {
        Path scores = csv("campaign,family,model,stage,benchmark,category,n,correct",
                "c1,mlp,a,0,e1,dk,4,4",
                "c1,mlp,a,1,e1,dk,4,five");

        Run run = lethe("metrics", "--scores", scores.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("line 3").contains("correct must be an integer");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void shouldExitTwoWhenTheFileOrAThresholdIsBad() throws Exception {
        assertThat(lethe("metrics", "--scores", dir.resolve("missing.csv").toString()).exitCode()).isEqualTo(2);
        Run badAlpha = lethe("metrics", "--scores", csv("campaign,family,model,stage,benchmark,category,n,correct").toString(),
                "--alpha", "2");
        assertThat(badAlpha.exitCode()).isEqualTo(2);
        assertThat(badAlpha.err()).contains("--alpha");
        Run badHeader = lethe("metrics", "--scores", csv("campaign,family,model,stage,benchmark,category,n").toString());
        assertThat(badHeader.exitCode()).isEqualTo(1);
        assertThat(badHeader.err()).contains("line 1").contains("missing column 'correct'");
    }
}
