package dev.lethe.evaluator.suite;

import dev.lethe.evaluator.EvaluatorConfig;
import dev.lethe.evaluator.suite.imported.ImportedSuiteCatalog;
import dev.lethe.ml.data.Datasets;
import dev.lethe.ml.data.LabeledImages;
import dev.lethe.ml.tasks.ContinualProtocol;
import dev.lethe.ml.tasks.ImageTransforms;
import dev.lethe.ml.tasks.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The built-in suites, derived deterministically from the suite id and a checkpoint event's attributes, so the
 * planner and every worker rebuild the same items (and the same version) the trainer's tasks were made from.
 *
 * <p>{@code digits-cl} and {@code mnist-cl} have the same shape over their dataset's fixed test split
 * ({@link Datasets#split}): two clean {@code domain-knowledge} halves, a {@code robustness} category (Gaussian
 * noise, a one-pixel horizontal shift) and one {@code task} element per fine-tuning stage, named like the stage's
 * task ({@link ContinualProtocol#task}) and holding the test split under that task's transform.
 *
 * <p>The shift is horizontal only: shifted one pixel right and down, the 8x8 digits put every MLP of the default
 * campaign at 11-15 % before any fine-tuning (chance is 10 %), so that element measured noise, not forgetting; one
 * pixel right leaves the MLPs at 42-54 % and the CNN at 61-62 % (docs/FINDINGS.md).
 */
public final class SuiteCatalog {

    public static final String DIGITS_CL = "digits-cl";
    public static final String MNIST_CL = "mnist-cl";
    public static final String DOMAIN_KNOWLEDGE = "domain-knowledge";
    public static final String ROBUSTNESS = "robustness";
    public static final String TASK = "task";

    /** Noise of the robustness element; its seed is fixed so the item set does not depend on the campaign. */
    static final double NOISE_SIGMA = 0.25;
    static final long NOISE_SEED = 1_729L;

    static final int SUITES_KEPT = 8;

    private static final Map<String, Integer> SHARD_SIZES = Map.of(DIGITS_CL, 100, MNIST_CL, 250);

    private final Path dataDir;
    /** Imported (e.g. LLM) suites by directory name, or null when no suite dir is configured. */
    private final ImportedSuiteCatalog imported;
    private final Map<String, LabeledImages> testSplits = new HashMap<>();
    /** Suites built, by id and campaign parameters; bounded, as a long-running worker sees many campaigns. */
    private final Map<String, Suite> suites = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Suite> eldest) {
            return size() > SUITES_KEPT;
        }
    };

    /** @param dataDir where {@code mnist} IDX files live ({@code --data-dir}); null when only digits is needed */
    public SuiteCatalog(Path dataDir) {
        this(dataDir, null);
    }

    /** @param suiteDir folder of imported suites ({@code lethe suite import}); null when none */
    public SuiteCatalog(Path dataDir, Path suiteDir) {
        this.dataDir = dataDir;
        this.imported = suiteDir == null ? null : new ImportedSuiteCatalog(suiteDir);
    }

    /** The catalog of an evaluator's configuration (data dir and imported-suites dir). */
    public static SuiteCatalog of(EvaluatorConfig config) {
        return new SuiteCatalog(config.dataDir(), config.suiteDir());
    }

    public static Set<String> ids() {
        return SHARD_SIZES.keySet();
    }

    /** The suite {@code suiteId} as derived from an event's attributes. */
    public synchronized Suite resolve(String suiteId, Map<String, String> attributes) throws UnknownSuiteException, InvalidSuiteException {
        Integer shardSize = suiteId == null ? null : SHARD_SIZES.get(suiteId);
        if (shardSize == null && imported != null) {
            // an imported suite is campaign-independent: its id is its directory, the attributes play no part
            try {
                Optional<Suite> suite = imported.resolve(suiteId);
                if (suite.isPresent()) {
                    return suite.get();
                }
            } catch (IOException e) {
                throw new InvalidSuiteException("imported suite " + suiteId + " under " + imported.root() + " cannot be loaded: " + e.getMessage(), e);
            }
        }
        if (shardSize == null) {
            throw new UnknownSuiteException("unknown suite '" + suiteId + "' (known: " + ids()
                    + (imported == null ? ", no --suite-dir" : " and the suites under " + imported.root()) + ")");
        }
        ContinualProtocol protocol;
        try {
            protocol = ContinualProtocol.from(attributes == null ? Map.of() : attributes);
        } catch (IllegalArgumentException e) {
            throw new InvalidSuiteException("suite " + suiteId + " needs the campaign's protocol attributes: " + e.getMessage(), e);
        }
        if (!protocol.suite().equals(suiteId)) {
            throw new InvalidSuiteException("suite " + suiteId + " does not fit dataset '" + protocol.dataset()
                    + "' (its suite is " + protocol.suite() + ")", null);
        }
        String key = suiteId + "|" + protocol;
        Suite cached = suites.get(key);
        if (cached != null) {
            return cached;
        }
        Suite suite = build(suiteId, protocol, shardSize);
        suites.put(key, suite);
        return suite;
    }

    private Suite build(String suiteId, ContinualProtocol protocol, int shardSize) throws InvalidSuiteException {
        LabeledImages test = testSplit(protocol.dataset());
        String ds = protocol.dataset();
        int half = test.size() / 2;
        List<SuiteElement> elements = new ArrayList<>();
        elements.add(SuiteElement.of(ds + "-clean-a", DOMAIN_KNOWLEDGE, items(test.range(0, half)), shardSize));
        elements.add(SuiteElement.of(ds + "-clean-b", DOMAIN_KNOWLEDGE, items(test.range(half, test.size())), shardSize));
        elements.add(SuiteElement.of(ds + "-noise", ROBUSTNESS,
                items(ImageTransforms.gaussianNoise(NOISE_SIGMA, NOISE_SEED).apply(test)), shardSize));
        elements.add(SuiteElement.of(ds + "-shift", ROBUSTNESS, items(ImageTransforms.shift(1, 0).apply(test)), shardSize));
        for (int stage = 1; stage <= protocol.stages(); stage++) {
            TaskSpec task = protocol.task(stage);
            elements.add(SuiteElement.of(task.name(), TASK, items(task.apply(test)), shardSize));
        }
        String params = "dataset=" + ds + " protocol=" + protocol.kind().attributeValue() + " seed=" + protocol.seed()
                + " stages=" + protocol.stages();
        return new Suite(suiteId, params, protocol.stages(), elements);
    }

    private LabeledImages testSplit(String dataset) throws InvalidSuiteException {
        LabeledImages test = testSplits.get(dataset);
        if (test == null) {
            try {
                test = Datasets.split(Datasets.load(dataset, dataDir)).test();
            } catch (RuntimeException e) {
                throw new InvalidSuiteException("cannot load dataset " + dataset + ": " + e.getMessage(), e);
            }
            testSplits.put(dataset, test);
        }
        return test;
    }

    private static ImageItems items(LabeledImages images) {
        return new ImageItems(images.width(), images.height(), images.pixels(), images.labels(), images.numClasses());
    }
}
