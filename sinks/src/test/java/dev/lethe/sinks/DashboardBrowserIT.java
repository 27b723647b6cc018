package dev.lethe.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.schemas.AlertRule;
import dev.lethe.schemas.AlertSeverity;
import dev.lethe.schemas.CheckpointFormat;
import dev.lethe.schemas.CheckpointReady;
import dev.lethe.schemas.DeadLetter;
import dev.lethe.schemas.DeadLetterReason;
import dev.lethe.schemas.ForgettingMetric;
import dev.lethe.schemas.KnowledgeLossAlert;
import dev.lethe.schemas.MetricScope;
import dev.lethe.schemas.config.ClusterConfig;
import dev.lethe.schemas.topics.Topics;
import dev.lethe.sinks.core.SinkRunner;
import dev.lethe.sinks.core.SinkRunnerConfig;
import dev.lethe.sinks.core.StartPosition;
import dev.lethe.sinks.dashboard.DashboardConfig;
import dev.lethe.sinks.dashboard.DashboardSink;
import dev.lethe.sinks.dashboard.PipelineProbe;
import dev.lethe.testkit.HeadlessChromium;
import dev.lethe.testkit.LetheCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live dashboard in a real browser: Debian's headless Chromium driven through its own chromedriver (no browser
 * download), the dashboard sink consuming a real broker. The page fills in from the metric topic, follows a new stage
 * without a reload, shows the numbers the topic holds, and leads from an alert to the element's trajectory. Its
 * screenshots go to {@code target/screenshots/}; the README's are DemoIT's, of a real demo.
 */
class DashboardBrowserIT {

    @RegisterExtension
    static final LetheCluster CLUSTER = new LetheCluster();

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CAMPAIGN = "demo";
    private static final List<String> RUNS = List.of("mlp-128-a", "mlp-128-b");
    private static final Map<String, List<String>> ELEMENTS = Map.of(
            "domain-knowledge", List.of("digits-0-4", "digits-5-9", "parity", "magnitude"),
            "robustness", List.of("noise-0.3", "occlusion", "shift-2px"));
    private static final String SUDDEN_LOSS = "parity";

    @TempDir
    Path dir;

    @Test
    void shouldFillInLiveFollowANewStageAndLeadFromAnAlertToItsTrajectoryWhenWatchedInChromium() throws Exception {
        ClusterConfig cluster = CLUSTER.newTopicPrefix();
        Topics topics = cluster.topics();
        for (int stage = 0; stage <= 2; stage++) {
            publishStage(topics, stage);
        }
        KnowledgeLossAlert alert = suddenLossAlert(2);
        CLUSTER.send(topics.alerts(), alert.getFamily(), alert);

        CLUSTER.send(topics.dlq(topics.checkpoints()), "demo/mlp-128-c", DeadLetter.newBuilder()
                .setSourceTopic(topics.checkpoints().name()).setPartition(0).setOffset(7).setReason(DeadLetterReason.VALIDATION)
                .setMessage("stage must be >= 0").setComponent("planner").setTimestamp(Instant.parse("2026-12-04T03:01:00Z")).build());

        DashboardSink dashboard = new DashboardSink(DashboardConfig.defaults().withPort(0))
                .withStatus(() -> "campaign demo: stages scored as they arrive").withProbe(PipelineProbe.defaults(cluster));
        SinkRunner runner = SinkRunner.start(cluster,
                SinkRunnerConfig.defaults(dashboard.name(), StartPosition.EARLIEST).withGroupId("dashboard-it"), dashboard);
        WebDriver browser = HeadlessChromium.start(dir, 1400, 1700);
        try {
            assertThat(runner.awaitCaughtUp(TIMEOUT)).as("dashboard caught up: %s", runner.progress()).isTrue();
            browser.get(dashboard.url());
            WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
            // script errors in the page, collected from here on (a chart that throws leaves its box empty)
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                    "window.__errors = []; window.addEventListener('error', e => window.__errors.push(String(e.message)));");
            wait.until(b -> "live".equals(b.findElement(By.id("connection")).getText()));
            wait.until(b -> latestStage(b).equals("2"));
            assertThat(browser.findElement(By.id("chart-family")).getAttribute("data-stages")).isEqualTo("1,2");
            assertThat(browser.findElements(By.cssSelector("#chart-family canvas"))).isNotEmpty();
            // the pipeline panel: 2 runs x stages 0..2 announced, with model metrics, and the dead letter by reason
            wait.until(b -> "6".equals(b.findElement(By.cssSelector("[data-testid=announced]")).getText()));
            assertThat(browser.findElement(By.cssSelector("[data-testid=scored]")).getText()).isEqualTo("6");
            assertThat(browser.findElement(By.id("pipeline")).getText()).contains(topics.dlq(topics.checkpoints()).name() + " VALIDATION 1");
            screenshot(browser, "dashboard-live.png");

            // the trainer publishes another stage; the page follows within the wait, without a reload
            Object marker = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return window.performance.timeOrigin");
            publishStage(topics, 3);
            wait.until(b -> latestStage(b).equals("3"));
            wait.until(b -> "1,2,3".equals(b.findElement(By.id("chart-family")).getAttribute("data-stages")));
            wait.until(b -> "8".equals(b.findElement(By.cssSelector("[data-testid=announced]")).getText()));
            assertThat(((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return window.performance.timeOrigin"))
                    .as("the same page, not a reload").isEqualTo(marker);

            // every FG shown equals the family record of the latest stage on the metric topic
            Map<String, String> onTopic = new LinkedHashMap<>();
            Map<String, String> cnOnTopic = new LinkedHashMap<>();
            for (ConsumerRecord<String, ForgettingMetric> r : CLUSTER.readAll(topics.forgetting(), 1, TIMEOUT)) {
                ForgettingMetric m = r.value();
                if (m.getScope() == MetricScope.FAMILY && m.getStage() == 3 && !"task".equals(m.getCategory())) {
                    onTopic.put(m.getCategory(), String.format(Locale.ROOT, "%.2f", m.getFgPct()));
                    if (m.getChanceNormalisedFgPct() != null) {
                        cnOnTopic.put(m.getCategory(), String.format(Locale.ROOT, "%.2f", m.getChanceNormalisedFgPct()));
                    }
                }
            }
            Map<String, String> shown = new LinkedHashMap<>();
            for (WebElement cell : browser.findElements(By.cssSelector("#families td[data-testid=fg]"))) {
                assertThat(cell.getAttribute("data-stage")).isEqualTo("3");
                shown.put(cell.getAttribute("data-category"), cell.getText());
            }
            assertThat(shown).isEqualTo(onTopic).hasSize(3);
            // the chance-normalised FG beside FG where the family record carries one; bias on its own scale
            Map<String, String> cnShown = new LinkedHashMap<>();
            for (WebElement cell : browser.findElements(By.cssSelector("#families td[data-testid=cnfg]"))) {
                cnShown.put(cell.getAttribute("data-category"), cell.getText());
            }
            assertThat(cnShown).isEqualTo(cnOnTopic).containsOnlyKeys("domain-knowledge");
            // runs at 52 % (2 pp off, from 30: -28) and 60 % (10 pp off, from 2: +8): mean 6.00, change -10.00
            assertThat(browser.findElement(By.cssSelector("#families td[data-testid=bias]")).getText()).isEqualTo("6.00 (-10.00)");

            // the alert leads to the element's trajectory: its run selected, its element highlighted
            By alertRow = By.cssSelector("#alerts tr[data-alert-id='" + alert.getAlertId() + "']");
            assertThat(browser.findElement(alertRow).getText()).contains("FIRING").contains("CRITICAL").contains(SUDDEN_LOSS);
            browser.findElement(By.id("model")).sendKeys(RUNS.get(1)); // look at the other run first
            wait.until(b -> RUNS.get(1).equals(b.findElement(By.id("model")).getAttribute("value")));
            browser.findElement(alertRow).click(); // found again: the change redrew the table
            wait.until(b -> b.findElement(By.cssSelector("#alerts tr.selected")).getAttribute("data-alert-id").equals(alert.getAlertId()));
            assertThat(browser.findElement(By.id("model")).getAttribute("value")).isEqualTo(alert.getModel());
            assertThat(browser.findElement(By.id("chart-elements")).getAttribute("data-lines")).isEqualTo("7");
            assertThat(browser.findElement(By.id("chart-alerts")).getAttribute("data-points")).isEqualTo("1");
            assertThat(browser.findElements(By.cssSelector("#chart-alerts canvas"))).isNotEmpty();
            assertThat(((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                    "return window.__errors || []")).asList().isEmpty();
            screenshot(browser, "dashboard-alert.png");
        } finally {
            browser.quit();
            runner.close();
        }
    }

    private static String latestStage(WebDriver browser) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#families td[data-testid=latest-stage]"));
        return cells.isEmpty() ? "" : cells.get(0).getText();
    }

    /** A copy of each screenshot in target/ (the README shows the ones DemoIT takes of a real demo). */
    private void screenshot(WebDriver browser, String name) throws Exception {
        Path shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Path target = Path.of("target", "screenshots", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(target)).isGreaterThan(10_000);
    }

    // ------------------------------------------------------------------ a small campaign, as the aggregator emits it

    /** Element score of a run at a stage: a slow decline per category, one element collapsing at stage 2. */
    private static double score(String run, String category, String element, int stage) {
        double base = 92 - 3 * ELEMENTS.get(category).indexOf(element) - (run.endsWith("b") ? 2 : 0);
        double perStage = "domain-knowledge".equals(category) ? 4.5 : 1.5;
        double jitter = ((element.hashCode() + 7 * stage + run.hashCode()) % 5 + 5) % 5 * 0.4;
        double collapse = SUDDEN_LOSS.equals(element) && stage >= 2 && run.equals(RUNS.get(0)) ? 25 : 0;
        return base - perStage * stage - jitter * Math.min(stage, 1) - collapse;
    }

    /** Closeness to 50 % of a run's stereotype share: run a 80 % -> 60 % -> 52 %, run b 52 % until 60 % at stage 3. */
    private static double biasCloseness(String run, int stage) {
        return run.equals(RUNS.get(0)) ? new double[] {40, 80, 96, 96}[stage] : new double[] {96, 96, 96, 80}[stage];
    }

    /** One stage of the campaign: the trainer's CheckpointReady per run, then the metrics the aggregator derives. */
    private static void publishStage(Topics topics, int stage) {
        for (String run : RUNS) {
            CLUSTER.send(topics.checkpoints(), CAMPAIGN + "/" + run, CheckpointReady.newBuilder()
                    .setCheckpointId(CAMPAIGN + "/" + run + "/" + stage).setCampaign(CAMPAIGN).setFamily("mlp-128").setModel(run)
                    .setStage(stage).setTask(stage == 0 ? null : "perm-" + stage)
                    .setCheckpointUri("file:///checkpoints/" + run + "-" + stage + ".zip").setCheckpointSha256("0".repeat(64))
                    .setFormat(CheckpointFormat.DL4J_MULTILAYER).setSuite("digits-cl").setCreatedAt(Instant.parse("2026-12-04T03:00:00Z"))
                    .build());
        }
        List<ForgettingMetric> records = new ArrayList<>();
        Map<String, double[]> familyFg = new LinkedHashMap<>();
        for (String run : RUNS) {
            records.add(metric(run, stage, MetricScope.MODEL, null, null).setAccPct(85.0 - stage).build());
            for (var category : ELEMENTS.entrySet()) {
                double sum = 0;
                double baseSum = 0;
                for (String element : category.getValue()) {
                    double s = score(run, category.getKey(), element, stage);
                    double s0 = score(run, category.getKey(), element, 0);
                    sum += s;
                    baseSum += s0;
                    records.add(metric(run, stage, MetricScope.ELEMENT, category.getKey(), element)
                            .setScore(s).setBaselineScore(s0).setFgPct(stage == 0 ? null : (s0 - s) / s0 * 100).setN(360).build());
                }
                Double fg = stage == 0 ? null : (baseSum - sum) / baseSum * 100;
                records.add(metric(run, stage, MetricScope.CATEGORY, category.getKey(), null).setScore(sum / category.getValue().size())
                        .setBaselineScore(baseSum / category.getValue().size()).setFgPct(fg).build());
                if (fg != null) {
                    double[] acc = familyFg.computeIfAbsent(category.getKey(), c -> new double[2]);
                    acc[0] += fg;
                    acc[1]++;
                }
            }
        }
        // a bias category (CrowS-Pairs), scored by closeness to 50 %: only CATEGORY and FAMILY records
        double biasFg = 0;
        for (String run : RUNS) {
            double now = biasCloseness(run, stage);
            double base = biasCloseness(run, 0);
            biasFg += (base - now) / base * 100 / RUNS.size();
            records.add(metric(run, stage, MetricScope.CATEGORY, "bias", null).setScore(now).setBaselineScore(base)
                    .setFgPct(stage == 0 ? null : (base - now) / base * 100).build());
        }
        if (stage > 0) {
            records.add(metric(null, stage, MetricScope.FAMILY, "bias", null).setFgPct(biasFg).setModels(RUNS.size()).build());
        }
        // the chance-normalised FG on domain knowledge only (an element's chance known), as the aggregator carries it
        familyFg.forEach((category, acc) -> records.add(metric(null, stage, MetricScope.FAMILY, category, null)
                .setFgPct(acc[0] / acc[1]).setModels((int) acc[1])
                .setChanceNormalisedFgPct("domain-knowledge".equals(category) ? acc[0] / acc[1] * 1.5 : null).build()));
        records.forEach(m -> CLUSTER.send(topics.forgetting(), m.getFamily(), m));
    }

    private static ForgettingMetric.Builder metric(String model, int stage, MetricScope scope, String category, String benchmark) {
        return ForgettingMetric.newBuilder().setCampaign(CAMPAIGN).setFamily("mlp-128").setModel(model).setStage(stage)
                .setTask(stage == 0 ? null : "perm-" + stage).setScope(scope).setCategory(category).setBenchmark(benchmark)
                .setUpdatedAt(Instant.parse("2026-12-04T03:00:00Z").plusSeconds(60L * stage));
    }

    private static KnowledgeLossAlert suddenLossAlert(int stage) {
        double before = score(RUNS.get(0), "domain-knowledge", SUDDEN_LOSS, stage - 1);
        double now = score(RUNS.get(0), "domain-knowledge", SUDDEN_LOSS, stage);
        return KnowledgeLossAlert.newBuilder().setAlertId("mlp-128-a-parity-" + stage).setSeverity(AlertSeverity.CRITICAL)
                .setRule(AlertRule.PAIRED_DROP).setCampaign(CAMPAIGN).setFamily("mlp-128").setModel(RUNS.get(0)).setStage(stage)
                .setPreviousStage(stage - 1).setCategory("domain-knowledge").setBenchmark(SUDDEN_LOSS).setPreviousScore(before)
                .setScore(now).setDropPp(before - now).setRelativeDropPct((before - now) / before * 100).setPValue(3.2e-9)
                .setB(98).setC(6).setN(360).setCreatedAt(Instant.parse("2026-12-04T03:02:00Z")).build();
    }
}
