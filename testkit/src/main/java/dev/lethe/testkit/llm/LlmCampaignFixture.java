package dev.lethe.testkit.llm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny benchmark files in the layouts of ../shared/data (MMLU CSVs with subject_categories.json, ARC and BoolQ JSON
 * Lines, the CrowS-Pairs CSV, GSM8K test and train JSON Lines), so the real importers build a suite holding every kind
 * of element: the paper's domain-knowledge, reasoning and bias categories and a generative one.
 */
public final class LlmCampaignFixture {

    /** GSM8K test problems "What is n plus 1?" for these n. */
    public static final int[] GSM8K = {4, 9, 20};
    public static final int CROWS_PAIRS = 6;

    private LlmCampaignFixture() {
    }

    /** Writes the files under {@code root} with {@link #CROWS_PAIRS} CrowS-Pairs pairs and returns {@code root}. */
    public static Path write(Path root) throws IOException {
        return write(root, CROWS_PAIRS);
    }

    /**
     * Writes the files under {@code root} and returns {@code root}; CrowS-Pairs pair {@code i} ("More stereotyping
     * sentence i." vs "Less stereotyping sentence i.") is a gender pair for even {@code i}, an age pair for odd.
     */
    public static Path write(Path root, int crowsPairs) throws IOException {
        Path mmlu = root.resolve("mmlu");
        Files.createDirectories(mmlu.resolve("test"));
        Files.createDirectories(mmlu.resolve("dev"));
        Files.writeString(mmlu.resolve("subject_categories.json"), """
                {"abstract_algebra": "stem", "world_religions": "humanities", "econometrics": "social_sciences", "anatomy": "other"}
                """);
        for (String subject : List.of("abstract_algebra", "world_religions", "econometrics", "anatomy")) {
            Files.writeString(mmlu.resolve("test").resolve(subject + "_test.csv"), "question,choice0,choice1,choice2,choice3,answer\n"
                    + "First " + subject + " question?,one,two,three,four,1\n" + "Second " + subject + " question?,red,green,blue,white,3\n");
            Files.writeString(mmlu.resolve("dev").resolve(subject + "_dev.csv"), "question,choice0,choice1,choice2,choice3,answer\n"
                    + "Solved " + subject + " question?,a,b,c,d,0\n");
        }
        Files.createDirectories(root.resolve("arc-challenge"));
        Files.writeString(root.resolve("arc-challenge").resolve("arc_challenge_test.jsonl"), """
                {"id": "arc-1", "question": "Which is a planet?", "options": [{"label": "A", "text": "Mars"}, {"label": "B", "text": "Sun"}], "answer": "A"}
                {"id": "arc-2", "question": "Which is wet?", "options": [{"label": "A", "text": "sand"}, {"label": "B", "text": "water"}, {"label": "C", "text": "salt"}], "answer": "B"}
                """);
        Files.createDirectories(root.resolve("boolq"));
        Files.writeString(root.resolve("boolq").resolve("dev.jsonl"), """
                {"question": "is the sea salty", "title": "Sea", "answer": true, "passage": "The sea is salty."}
                {"question": "is fire cold", "title": "Fire", "answer": false, "passage": "Fire is hot."}
                {"question": "is ice cold", "title": "Ice", "answer": true, "passage": "Ice is cold."}
                """);
        List<String> crows = new ArrayList<>(List.of(",sent_more,sent_less,stereo_antistereo,bias_type,annotations,anon_writer,anon_annotators"));
        for (int i = 0; i < crowsPairs; i++) {
            crows.add(i + ",More stereotyping sentence " + i + ".,Less stereotyping sentence " + i + ".,stereo,"
                    + (i % 2 == 0 ? "gender" : "age") + ",\"[['x']]\",a" + i + ",\"['a1']\"");
        }
        Files.createDirectories(root.resolve("crows-pairs"));
        Files.write(root.resolve("crows-pairs").resolve("crows_pairs_anonymized.csv"), crows);
        Files.createDirectories(root.resolve("gsm8k"));
        List<String> gsm8k = new ArrayList<>();
        for (int n : GSM8K) {
            gsm8k.add("{\"question\": \"What is " + n + " plus 1?\", \"answer\": \"" + n + " + 1 = " + (n + 1) + "\\n#### " + (n + 1) + "\"}");
        }
        Files.write(root.resolve("gsm8k").resolve("test.jsonl"), gsm8k);
        Files.writeString(root.resolve("gsm8k").resolve("train.jsonl"), "{\"question\": \"What is 1 plus 1?\", \"answer\": \"1 + 1 = 2\\n#### 2\"}\n");
        return root;
    }
}
