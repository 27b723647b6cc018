package dev.lethe.cli.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import dev.lethe.aggregator.app.AggregatorApp;
import dev.lethe.cli.LetheMain;
import dev.lethe.embedded.EmbeddedKafkaBroker;
import dev.lethe.evaluator.EvaluatorService;
import dev.lethe.http.GuardedHttpServer;
import dev.lethe.ml.model.Predictions;
import dev.lethe.producer.CheckpointPublisher;
import dev.lethe.registry.EmbeddedSchemaRegistry;
import dev.lethe.schemas.layeringfixture.WrongWayImport;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.ViewSinks;
import dev.lethe.testkit.LetheCluster;
import dev.lethe.trainer.campaign.Campaign;
import java.net.URISyntaxException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The module layering, checked on the main classes of every module (cli's test classpath sees them all): each
 * module is its top package {@code dev.lethe.<module>} and may use only the modules named here, so an import the
 * wrong way (or across, into a module not named) fails the build. The allowed dependencies are the poms' own,
 * narrowed to what the code uses; widening one is a decision to make here, with the pom.
 *
 * <pre>
 *   http, schemas, ml                  (use no other module)
 *   registry   -> schemas, http
 *   embedded   -> schemas, registry
 *   testkit    -> schemas, registry, embedded, http
 *   producer   -> schemas
 *   trainer    -> schemas, ml, producer
 *   evaluator  -> schemas, ml
 *   aggregator -> schemas, http
 *   sinks      -> schemas, http
 *   cli        -> every module but testkit
 * </pre>
 */
class ModuleLayeringTest {

    /** One main class of each module: its jar (or classes folder) is what is imported. */
    private static final List<Class<?>> MODULE_ANCHORS = List.of(GuardedHttpServer.class, Topics.class, EmbeddedSchemaRegistry.class,
            EmbeddedKafkaBroker.class, LetheCluster.class, CheckpointPublisher.class, Predictions.class,
            Campaign.class, EvaluatorService.class, AggregatorApp.class, ViewSinks.class, LetheMain.class);

    /** Every module's main classes, read from the modules' own code locations only (not the whole classpath). */
    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importLocations(MODULE_ANCHORS.stream().map(ModuleLayeringTest::codeLocation).toList());

    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("http").definedBy("dev.lethe.http..")
            .layer("schemas").definedBy("dev.lethe.schemas..")
            .layer("registry").definedBy("dev.lethe.registry..")
            .layer("embedded").definedBy("dev.lethe.embedded..")
            .layer("testkit").definedBy("dev.lethe.testkit..")
            .layer("producer").definedBy("dev.lethe.producer..")
            .layer("ml").definedBy("dev.lethe.ml..")
            .layer("trainer").definedBy("dev.lethe.trainer..")
            .layer("evaluator").definedBy("dev.lethe.evaluator..")
            .layer("aggregator").definedBy("dev.lethe.aggregator..")
            .layer("sinks").definedBy("dev.lethe.sinks..")
            .layer("cli").definedBy("dev.lethe.cli..")
            .whereLayer("http").mayNotAccessAnyLayer()
            .whereLayer("schemas").mayNotAccessAnyLayer()
            .whereLayer("ml").mayNotAccessAnyLayer()
            .whereLayer("registry").mayOnlyAccessLayers("schemas", "http")
            .whereLayer("embedded").mayOnlyAccessLayers("schemas", "registry")
            .whereLayer("testkit").mayOnlyAccessLayers("schemas", "registry", "embedded", "http")
            .whereLayer("producer").mayOnlyAccessLayers("schemas")
            .whereLayer("trainer").mayOnlyAccessLayers("schemas", "ml", "producer")
            .whereLayer("evaluator").mayOnlyAccessLayers("schemas", "ml")
            .whereLayer("aggregator").mayOnlyAccessLayers("schemas", "http")
            .whereLayer("sinks").mayOnlyAccessLayers("schemas", "http")
            .whereLayer("cli").mayOnlyAccessLayers("http", "schemas", "registry", "embedded", "producer", "ml", "trainer",
                    "evaluator", "aggregator", "sinks")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer();

    static final ArchRule NO_CYCLES = slices().matching("dev.lethe.(*)..").should().beFreeOfCycles();

    private static Location codeLocation(Class<?> anchor) {
        try {
            return Location.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldKeepEveryModuleToItsNamedDependencies() {
        for (Class<?> anchor : MODULE_ANCHORS) {
            assertThat(MAIN_CLASSES.contain(anchor.getName())).as(anchor.getName()).isTrue();
        }
        LAYERS.check(MAIN_CLASSES);
    }

    @Test
    void shouldHaveNoCycleBetweenModules() {
        NO_CYCLES.check(MAIN_CLASSES);
    }

    @Test
    void shouldFailOnAWrongWayImport() {
        JavaClasses wrongWay = new ClassFileImporter().importClasses(WrongWayImport.class,
                dev.lethe.evaluator.EvaluatorConfig.class);
        assertThat(LAYERS.evaluate(wrongWay).hasViolation()).isTrue();
        assertThat(LAYERS.evaluate(wrongWay).getFailureReport().getDetails())
                .anyMatch(line -> line.contains(WrongWayImport.class.getName()));
    }
}
