package dev.lethe.cli.suite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteImportCommandTest {

    @TempDir
    Path tmp;

    /** {@code -Dlethe.data.dir}, else the first ancestor's {@code shared/data} holding {@code mmlu}. */
    static Path dataDir() {
        String configured = System.getProperty("lethe.data.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("shared/data/mmlu"))) {
                return dir.resolve("shared/data");
            }
        }
        throw new IllegalStateException("no shared/data/mmlu above " + Path.of("").toAbsolutePath() + "; set -Dlethe.data.dir");
    }

    @Test
    void shouldWriteOneSuiteWithMmluArcAndBoolqWhenImportedIntoTheSameDirectory() throws Exception {
        Path out = tmp.resolve("suites").resolve("llm-forgetting");
        CliRun mmlu = CliRun.of("suite", "import", "mmlu", "--from", dataDir().resolve("mmlu").toString(), "--out", out.toString());
        CliRun arc = CliRun.of("suite", "import", "arc", "--from", dataDir().resolve("arc-challenge").toString(), "--out", out.toString());
        CliRun boolq = CliRun.of("suite", "import", "boolq", "--from", dataDir().resolve("boolq").toString(), "--out", out.toString(),
                "--metric", "acc_norm", "--shard-size", "200");

        assertThat(mmlu.exit()).as(mmlu.err()).isZero();
        assertThat(mmlu.out()).contains("element\tmmlu-stem\tdomain-knowledge\titems=3153\tshards=32\tmetric=acc",
                "element\tmmlu-other\tdomain-knowledge\titems=3107\t");
        assertThat(arc.exit()).as(arc.err()).isZero();
        assertThat(boolq.exit()).as(boolq.err()).isZero();
        assertThat(boolq.out()).startsWith("suite\tllm-forgetting\t")
                .contains("element\tarc-challenge\treasoning\titems=1172\tshards=12\tmetric=acc",
                        "element\tboolq\treasoning\titems=3270\tshards=17\tmetric=acc_norm")
                .containsPattern("version\t[0-9a-f]{64}\n");
        assertThat(Files.list(out).map(p -> p.getFileName().toString())).contains("suite.json", "mmlu-stem.jsonl",
                "mmlu-stem.fewshot.json", "arc-challenge.jsonl", "boolq.jsonl");

        // the evaluator resolves it by directory name under --suite-dir
        CliRun printed = CliRun.of("evaluate", "--suite-dir", tmp.resolve("suites").toString(), "--print-suite", "llm-forgetting");
        assertThat(printed.exit()).as(printed.err()).isZero();
        assertThat(printed.out()).startsWith("lethe-suite-manifest 1\nsuite\tllm-forgetting\nparams\t\n")
                .contains("element\tmmlu-humanities\tdomain-knowledge\t4705\t100\t", "element\tboolq\treasoning\t3270\t200\t");
        String version = boolq.out().replaceAll("(?s).*version\t([0-9a-f]{64}).*", "$1");
        assertThat(printed.out()).contains("version\t" + version + "\n");
    }

    @Test
    void shouldAddGenerativeAndBiasElementsWhenImportingGsm8kAndCrowsPairs() throws Exception {
        Path out = tmp.resolve("suites").resolve("llm-forgetting");
        CliRun gsm8k = CliRun.of("suite", "import", "gsm8k", "--from", dataDir().resolve("gsm8k").toString(), "--out", out.toString());
        CliRun crows = CliRun.of("suite", "import", "crows-pairs", "--from", dataDir().toString(), "--out", out.toString());

        assertThat(gsm8k.exit()).as(gsm8k.err()).isZero();
        assertThat(gsm8k.out()).contains("element\tgsm8k-strict\tgenerative\titems=1314\tshards=14\tmetric=exact_match,strict-match",
                "element\tgsm8k-flexible\tgenerative-flexible\titems=1314\tshards=14\tmetric=exact_match,flexible-extract");
        assertThat(crows.exit()).as(crows.err()).isZero();
        assertThat(crows.out()).contains("element\tcrows-pairs-race-color\tbias\titems=516\tshards=6\tmetric=pct_stereotype",
                "element\tcrows-pairs-disability\tbias\titems=60\tshards=1\tmetric=pct_stereotype", "element\tgsm8k-strict\t");
    }

    @Test
    void shouldExitWithUsageErrorNamingTheFlagWhenAValueIsBad() {
        CliRun kind = CliRun.of("suite", "import", "hellaswag", "--from", tmp.toString(), "--out", tmp.resolve("x").toString());
        CliRun metric = CliRun.of("suite", "import", "arc", "--from", tmp.toString(), "--out", tmp.resolve("x").toString(), "--metric", "f1");
        CliRun shots = CliRun.of("suite", "import", "arc", "--from", tmp.toString(), "--out", tmp.resolve("x").toString(), "--shots", "5");
        CliRun missing = CliRun.of("suite", "import", "arc", "--from", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("x").toString());

        assertThat(kind.exit()).isEqualTo(2);
        assertThat(kind.err()).contains("mmlu, arc, boolq, gsm8k, crows-pairs or jsonl");
        assertThat(metric.exit()).isEqualTo(2);
        assertThat(metric.err()).contains("--metric");
        assertThat(shots.exit()).isEqualTo(2);
        assertThat(shots.err()).contains("--shots applies to mmlu and gsm8k only");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--from");

        CliRun suiteDir = CliRun.of("evaluate", "--workers", "0", "--suite-dir", tmp.resolve("no-such-dir").toString());
        assertThat(suiteDir.exit()).isEqualTo(2);
        assertThat(suiteDir.err()).contains("--suite-dir must be an existing directory");
    }

    @Test
    void shouldAddAHarnessStyleJsonlFileAsAnElementWhenImportingJsonl() throws Exception {
        Path file = Files.writeString(tmp.resolve("hellaswag.jsonl"), """
                {"context": "A man is sitting on a roof. He", "choices": ["starts pulling up roofing.", "is ripping level tiles off."], "gold": 0}
                {"context": "The cat", "choices": ["sleeps.", "flies."], "label": 0}
                """);
        Path out = tmp.resolve("suites").resolve("mine");
        CliRun r = CliRun.of("suite", "import", "jsonl", "--from", file.toString(), "--out", out.toString(),
                "--benchmark", "hellaswag", "--category", "reasoning", "--metric", "acc_norm");
        CliRun noName = CliRun.of("suite", "import", "jsonl", "--from", file.toString(), "--out", out.toString());
        CliRun badName = CliRun.of("suite", "import", "jsonl", "--from", file.toString(), "--out", out.toString(),
                "--benchmark", "../x", "--category", "reasoning");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("element\thellaswag\treasoning\titems=2\tshards=1\tmetric=acc_norm");
        assertThat(noName.exit()).isEqualTo(2);
        assertThat(noName.err()).contains("--benchmark NAME and --category CAT");
        assertThat(badName.exit()).isEqualTo(2);
        assertThat(badName.err()).contains("--benchmark must be");
    }

    @Test
    void shouldFailWithExitOneWhenTheFilesAreNotTheBenchmarks() throws Exception {
        Path bogus = Files.writeString(tmp.resolve("arc_challenge_test.jsonl"), "{\"question\": \"q\", \"options\": [], \"answer\": \"Z\"}\n");
        CliRun r = CliRun.of("suite", "import", "arc", "--from", bogus.toString(), "--out", tmp.resolve("bad").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("answer 'Z'");
        assertThat(tmp.resolve("bad").resolve("suite.json")).doesNotExist();
    }
}
