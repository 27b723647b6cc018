package dev.lethe.cli.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small lm-evaluation-harness output directory in the harness's layout ({@code <output_path>/<model>/samples_<task>_
 * <date_id>.jsonl} + {@code results_<date_id>.json}): GSM8K with both filters (3 documents) and CrowS-Pairs' age
 * subset (4 pairs).
 */
final class LmEvalFixture {

    static final String STAMP = "2026-12-04T03-00-00.123456";

    private LmEvalFixture() {
    }

    /** Writes the run under {@code out} and returns {@code out}. */
    static Path write(Path out) throws IOException {
        Path model = Files.createDirectories(out.resolve("local__llama-7b"));
        List<String> gsm8k = new ArrayList<>();
        int[][] em = {{1, 0, 1}, {1, 1, 0}};
        String[] filters = {"strict-match", "flexible-extract"};
        for (int doc = 0; doc < 3; doc++) {
            for (int f = 0; f < 2; f++) {
                gsm8k.add("{\"doc_id\": " + doc + ", \"doc\": {\"question\": \"q" + doc + "\", \"answer\": \"#### " + doc + "\"}, \"target\": \"#### " + doc
                        + "\", \"arguments\": {\"gen_args_0\": {\"arg_0\": \"Question: q" + doc + "\\nAnswer:\", \"arg_1\": {\"until\": [\"Question:\"]}}}"
                        + ", \"resps\": [[\" #### " + doc + "\"]], \"filtered_resps\": [\"" + doc + "\"], \"filter\": \"" + filters[f]
                        + "\", \"metrics\": [\"exact_match\"], \"doc_hash\": \"d" + doc + "\", \"prompt_hash\": \"p\", \"target_hash\": \"t\""
                        + ", \"exact_match\": " + em[f][doc] + ".0}");
            }
        }
        Files.write(model.resolve("samples_gsm8k_" + STAMP + ".jsonl"), gsm8k);
        List<String> crows = new ArrayList<>();
        int[] stereo = {1, 1, 0, 1};
        for (int doc = 0; doc < 4; doc++) {
            crows.add("{\"doc_id\": " + doc + ", \"doc\": {\"sent_more\": \"m\", \"sent_less\": \"l\"}, \"target\": \"0\", \"arguments\": {}, "
                    + "\"resps\": [], \"filtered_resps\": [[-10.0, false], [-12.0, false]], \"filter\": \"none\", "
                    + "\"metrics\": [\"likelihood_diff\", \"pct_stereotype\"], \"doc_hash\": \"c" + doc + "\", \"prompt_hash\": \"p\", "
                    + "\"target_hash\": \"t\", \"likelihood_diff\": 2.0, \"pct_stereotype\": " + stereo[doc] + ".0}");
        }
        Files.write(model.resolve("samples_crows_pairs_english_age_" + STAMP + ".jsonl"), crows);
        Files.writeString(model.resolve("results_" + STAMP + ".json"), """
                {"results": {"gsm8k": {"alias": "gsm8k", "exact_match,strict-match": 0.6666666666666666,
                                       "exact_match,flexible-extract": 0.6666666666666666},
                             "crows_pairs_english_age": {"alias": "crows_pairs_english_age", "pct_stereotype,none": 0.75,
                                                         "likelihood_diff,none": 2.0}},
                 "group_subtasks": {"gsm8k": [], "crows_pairs_english_age": []}}
                """);
        return out;
    }
}
