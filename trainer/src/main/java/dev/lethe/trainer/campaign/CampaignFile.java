package dev.lethe.trainer.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lethe.ml.tasks.ContinualProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads campaign files (YAML, or JSON which is valid YAML) and the built-in campaigns {@code default} and
 * {@code quick} shipped under {@code campaigns/}. Unknown keys are errors, so a typo never silently falls back
 * to a default. The format is documented in trainer/README.md.
 */
public final class CampaignFile {

    /** Built-in campaign names, resolved from the classpath ({@code campaigns/<name>.yaml}). */
    public static final List<String> BUILT_IN = List.of("default", "quick", "findings-scale", "findings-arch",
            "findings-replay");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP_KEYS = Set.of("name", "dataset", "protocol", "stages", "epochs", "batchSize",
            "learningRate", "fineTuneEpochs", "fineTuneLearningRate", "seed", "models");
    private static final Set<String> MODEL_KEYS = Set.of("name", "family", "architecture", "size", "replay",
            "replayFrom", "replayMode", "pretrainTasks");

    private CampaignFile() {
    }

    /** A built-in name ({@code default}, {@code quick}) or the path of a campaign file. */
    public static Campaign resolve(String fileOrName) throws IOException {
        if (BUILT_IN.contains(fileOrName)) {
            return builtIn(fileOrName);
        }
        Path p = Path.of(fileOrName);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("campaign '" + fileOrName + "' is neither a file nor one of " + BUILT_IN);
        }
        return load(p);
    }

    /** A campaign shipped as {@code campaigns/<name>.yaml}. */
    public static Campaign builtIn(String name) throws IOException {
        try (InputStream in = CampaignFile.class.getResourceAsStream("/campaigns/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalArgumentException("no built-in campaign '" + name + "' (have " + BUILT_IN + ")");
            }
            return parse(YAML.readTree(in), "campaigns/" + name + ".yaml");
        }
    }

    /** Reads a YAML or JSON campaign file. */
    public static Campaign load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(YAML.readTree(in), file.toString());
        }
    }

    /** Parses campaign text (YAML or JSON). */
    public static Campaign parse(String text) throws IOException {
        return parse(YAML.readTree(text), "campaign text");
    }

    static Campaign parse(JsonNode root, String source) {
        try {
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("expected a mapping at the top level");
            }
            checkKeys(root, TOP_KEYS, "");
            String dataset = text(root, "dataset", "digits");
            ContinualProtocol protocol = new ContinualProtocol(dataset,
                    ContinualProtocol.Kind.parse(text(root, "protocol", "permuted")),
                    longValue(root, "seed", 42), (int) longValue(root, "stages", 4));
            JsonNode models = root.get("models");
            if (models == null || !models.isArray()) {
                throw new IllegalArgumentException("models must be a list of model runs");
            }
            List<ModelRun> runs = new ArrayList<>();
            for (JsonNode m : models) {
                String where = "models[" + runs.size() + "].";
                if (!m.isObject()) {
                    throw new IllegalArgumentException(where + " must be a mapping");
                }
                checkKeys(m, MODEL_KEYS, where);
                JsonNode size = m.get("size");
                List<Integer> widths = new ArrayList<>();
                if (size == null) {
                    throw new IllegalArgumentException(where + "size is missing");
                } else if (size.isArray()) {
                    for (JsonNode w : size) {
                        widths.add(intValue(w, where + "size"));
                    }
                } else {
                    widths.add(intValue(size, where + "size"));
                }
                String name = text(m, "name", null);
                if (name == null) {
                    throw new IllegalArgumentException(where + "name is missing");
                }
                String family = text(m, "family", null);
                if (family == null) {
                    throw new IllegalArgumentException(where + "family is missing");
                }
                runs.add(new ModelRun(name, family, Architecture.parse(text(m, "architecture", "mlp")), widths,
                        doubleValue(m, "replay", 0.0), EnumLabels.parse(ModelRun.ReplaySource.class, "replayFrom",
                        text(m, "replayFrom", "stage0")),
                        EnumLabels.parse(ModelRun.ReplayMode.class, "replayMode", text(m, "replayMode", "add")), (int) longValue(m, "pretrainTasks", 0)));
            }
            int epochs = (int) longValue(root, "epochs", 5);
            double learningRate = doubleValue(root, "learningRate", 0.003);
            Campaign campaign = new Campaign(text(root, "name", null), protocol, epochs,
                    (int) longValue(root, "batchSize", 32), learningRate, runs,
                    (int) longValue(root, "fineTuneEpochs", epochs), doubleValue(root, "fineTuneLearningRate", learningRate));
            for (ModelRun run : campaign.models()) {
                if (run.replay() > 0 && run.replayFrom() == ModelRun.ReplaySource.MNIST
                        && !"digits".equals(protocol.dataset())) {
                    throw new IllegalArgumentException("model " + run.name() + ": replayFrom mnist is another dataset "
                            + "only for a digits campaign (dataset is " + protocol.dataset() + ")");
                }
            }
            return campaign;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + where + key + "' (allowed: "
                        + allowed.stream().sorted().toList() + ")");
            }
        }
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(key + " must be a plain value");
        }
        return v.asText();
    }

    private static long longValue(JsonNode node, String key, long fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v.asText() + "'");
        }
        return v.asLong();
    }

    private static int intValue(JsonNode v, String key) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(key + " must hold integers, got '" + v.asText() + "'");
        }
        return v.asInt();
    }

    private static double doubleValue(JsonNode node, String key, double fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v.asText() + "'");
        }
        return v.asDouble();
    }
}
