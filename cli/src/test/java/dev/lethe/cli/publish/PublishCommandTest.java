package dev.lethe.cli.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.cli.CliRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PublishCommandTest {

    static final String SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /** A complete, valid command line as flag -> value (ordered); tests replace one flag. */
    static Map<String, String> validFlags() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("--campaign", "c1");
        f.put("--family", "mlp");
        f.put("--model", "m1");
        f.put("--stage", "1");
        f.put("--task", "perm-1");
        f.put("--uri", "file:/tmp/ckpt/m1-1.zip");
        f.put("--sha256", SHA);
        f.put("--format", "DL4J_MULTILAYER");
        f.put("--suite", "digits-cl");
        // nothing listens here: a validation error must come before any connection attempt
        f.put("--bootstrap-servers", "127.0.0.1:1");
        f.put("--schema-registry", "http://127.0.0.1:1");
        f.put("--timeout", "2");
        return f;
    }

    static CliRun run(Map<String, String> flags, String... extra) {
        List<String> args = new ArrayList<>(List.of("publish"));
        flags.forEach((k, v) -> {
            if (v != null) {
                args.add(k + "=" + v);
            }
        });
        args.addAll(List.of(extra));
        return CliRun.of(args);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "--stage             | -1                   | --stage",
        "--stage             | two                  | --stage",
        "--campaign          | ''                   | --campaign",
        "--campaign          | a/b                  | --campaign",
        "--family            | '  '                 | --family",
        "--model             | ''                   | --model",
        "--model             | m/1                  | --model",
        "--task              | ' '                  | --task",
        "--uri               | ckpt.zip             | --uri",
        "--uri               | 'file:/a b^'         | --uri",
        "--uri               | ''                   | --uri",
        "--sha256            | abc123               | --sha256",
        "--sha256            | zz56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123 | --sha256",
        "--format            | SAFETENSORS          | --format",
        "--suite             | ''                   | --suite",
        "--step              | -3                   | --step",
        "--parameter-count   | -1                   | --parameter-count",
        "--checkpoint-id     | c1/m1/9              | --checkpoint-id",
        "--created-at        | yesterday            | --created-at",
        "--timeout           | 0                    | --timeout",
        "--bootstrap-servers | localhost            | --bootstrap-servers",
        "--schema-registry   | ftp://x              | --schema-registry",
        "--campaign          | NULL                 | --campaign",
        "--sha256            | NULL                 | --sha256",
    })
    void shouldExitWithUsageNamingTheFlagWhenAValueIsInvalid(String flag, String value, String named) {
        Map<String, String> flags = validFlags();
        flags.put(flag, value);

        CliRun r = run(flags);

        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(named);
        assertThat(r.out()).doesNotContain("offset=");
    }

    @Test
    void shouldExitWithUsageWhenAnAttributeHasNoValue() {
        CliRun r = run(validFlags(), "--attr", "seed");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--attr");
    }

    @Test
    void shouldExitWithFailureNotUsageWhenTheClusterIsUnreachable() {
        CliRun r = run(validFlags());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("lethe publish:");
    }

    @Test
    void shouldListEveryFlagWhenAskedForHelp() {
        CliRun r = run(Map.of(), "--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--campaign", "--family", "--model", "--stage", "--task", "--uri", "--sha256",
                "--format", "--suite", "--step", "--attr", "--parameter-count", "--bootstrap-servers", "--schema-registry");
    }
}
