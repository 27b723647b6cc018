package dev.lethe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lethe demo --quick} as a real process, twice: a clean run (every model run has MODEL records for every
 * stage, FAMILY records for every family, a report with a chart, a live Prometheus endpoint whose exposition
 * promtool accepts, no process left behind) and a {@code --chaos} run whose final metrics equal the clean run's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PROMETHEUS_URL = Pattern.compile("Prometheus on (http://\\S+)");
    private static final Pattern ELEMENTS = Pattern.compile("elements (\\d+)/(\\d+)");
    private static final Pattern DASHBOARD_URL = Pattern.compile("live dashboard on (http://\\S+)");
    private static final Pattern CLOSING = Pattern.compile("done in [\\d.]+ s: (\\d+) checkpoints, (\\d+) shards scored; "
            + "(\\d+) final metric records in metrics.jsonl \\(latest per key; (\\d+) records emitted\\); "
            + "(\\d+) alerts? \\((\\d+) firing, (\\d+) resolved\\) in alerts.jsonl \\((\\d+) alert records emitted\\)");

    @TempDir
    static Path work;

    private static List<String> cleanMetrics;
    /** Chromium watching the clean run's dashboard, quit after the test whatever happened. */
    private DemoDashboard browser;
    private static List<String> cleanAlerts;

    @AfterEach
    void quitBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void shouldProduceEveryMetricReportAndGaugesWhenTheQuickDemoRuns() throws Exception {
        Path out = work.resolve("clean");
        DemoProcess demo = DemoProcess.start(out);
        Optional<DemoDashboard> watcher = DemoDashboard.openIfInstalled(demo.awaitDashboardUrl(), work);
        browser = watcher.orElse(null);
        String scrape = demo.scrapePrometheusOnceMetricsFlow();
        String dashboard = demo.dashboardPage();
        if (watcher.isPresent()) {
            watcher.get().followAnAlertWhileLive(demo::running);
        }
        int exit = demo.awaitExit(Duration.ofMinutes(8));

        assertThat(exit).as("demo exit code; output:%n%s", demo.output()).isZero();
        assertThat(demo.leftoverProcesses()).as("processes left behind").isEmpty();

        List<JsonNode> metrics = readJsonLines(out.resolve("metrics.jsonl"));
        Map<String, Set<Integer>> modelStages = new HashMap<>();
        Set<String> families = new TreeSet<>();
        Set<String> familiesWithFamilyRecords = new TreeSet<>();
        for (JsonNode m : metrics) {
            families.add(m.get("family").asText());
            switch (m.get("scope").asText()) {
                case "MODEL" -> modelStages.computeIfAbsent(m.get("model").asText(), k -> new TreeSet<>()).add(m.get("stage").asInt());
                case "FAMILY" -> familiesWithFamilyRecords.add(m.get("family").asText());
                default -> { }
            }
        }
        // the quick campaign: at least 3 model runs from at least 2 families over at least 3 stages (+ stage 0)
        assertThat(modelStages).hasSizeGreaterThanOrEqualTo(3);
        assertThat(families).hasSizeGreaterThanOrEqualTo(2);
        int stages = modelStages.values().iterator().next().size();
        assertThat(stages).isGreaterThanOrEqualTo(4);
        assertThat(modelStages.values()).allSatisfy(s -> assertThat(s).hasSize(stages).contains(0, stages - 1));
        assertThat(familiesWithFamilyRecords).isEqualTo(families);

        String report = Files.readString(out.resolve("report.html"));
        assertThat(report).contains("<svg").doesNotContain("<script src=");

        assertThat(scrape).contains("lethe_forgetting_fg_pct{");
        assertThat(promtoolCheckMetrics(scrape)).as("promtool check metrics on the live exposition").isEqualTo("");
        assertThat(promtoolCheckMetrics(Files.readString(out.resolve("metrics.prom")))).isEqualTo("");

        assertThat(dashboard).contains("<title>Lethe live dashboard</title>").contains("vendor/uPlot.iife.min.js");
        assertClosingLineMatchesTheFiles(demo.output(), metrics, readAlerts(out.resolve("alerts.jsonl")), report);
        if (watcher.isPresent()) {
            watcher.get().assertShowedTheCampaignLive(metrics);
        }

        cleanMetrics = withoutTimestamps(metrics);
        cleanAlerts = firing(readJsonLines(out.resolve("alerts.jsonl")));
        assertThat(cleanAlerts).as("the quick campaign raises alerts").isNotEmpty();
    }

    /**
     * One meaning per number: the demo's closing line counts the lines of metrics.jsonl and alerts.jsonl (final
     * records, alerts by state) and, separately, the records emitted; the report says the same counts.
     */
    private static void assertClosingLineMatchesTheFiles(String output, List<JsonNode> metrics, List<JsonNode> alerts, String report) {
        Matcher closing = CLOSING.matcher(output);
        assertThat(closing.find()).as("the closing line in:%n%s", output).isTrue();
        int finalMetrics = Integer.parseInt(closing.group(3));
        long metricRecordsEmitted = Long.parseLong(closing.group(4));
        int alertCount = Integer.parseInt(closing.group(5));
        int firing = Integer.parseInt(closing.group(6));
        int resolved = Integer.parseInt(closing.group(7));
        long alertRecordsEmitted = Long.parseLong(closing.group(8));
        assertThat(finalMetrics).as("final metric records = lines of metrics.jsonl").isEqualTo(metrics.size());
        assertThat(metricRecordsEmitted).isGreaterThanOrEqualTo(finalMetrics);
        assertThat(alertCount).as("alerts = lines of alerts.jsonl").isEqualTo(alerts.size());
        assertThat(firing).isEqualTo(alerts.stream().filter(a -> !"RESOLVED".equals(a.path("state").asText())).count());
        assertThat(resolved).isEqualTo(alertCount - firing);
        assertThat(alertRecordsEmitted).isGreaterThanOrEqualTo(alertCount);
        assertThat(report).contains("from " + finalMetrics + " final metric records")
                .contains(alertCount + (alertCount == 1 ? " alert (" : " alerts (") + firing + " firing, " + resolved + " resolved)");
    }

    private static List<JsonNode> readAlerts(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes; // the quick campaign may raise no alert
    }

    @Test
    @Order(2)
    void shouldEndWithTheSameMetricsWhenAWorkerIsKilledAndTheAggregatorRestarted() throws Exception {
        assertThat(cleanMetrics).as("the clean run must have passed first").isNotNull();
        Path out = work.resolve("chaos");
        DemoProcess demo = DemoProcess.start(out, "--chaos");
        int exit = demo.awaitExit(Duration.ofMinutes(8));

        assertThat(exit).as("demo exit code; output:%n%s", demo.output()).isZero();
        assertThat(demo.output()).contains("chaos: kill -9 evaluator worker").contains("chaos: aggregator back up");
        assertThat(demo.leftoverProcesses()).as("processes left behind").isEmpty();
        assertThat(withoutTimestamps(readJsonLines(out.resolve("metrics.jsonl")))).isEqualTo(cleanMetrics);
        // alerts are a function of the final data too: the chaos run ends with the same alerts firing
        assertThat(firing(readJsonLines(out.resolve("alerts.jsonl")))).isEqualTo(cleanAlerts);
    }

    /** The alerts whose latest state is FIRING, without times, in alertId order. */
    private static List<String> firing(List<JsonNode> alerts) {
        return withoutTimestamps(alerts.stream()
                .filter(a -> !a.has("state") || "FIRING".equals(a.get("state").asText()))
                .sorted(Comparator.comparing(a -> a.get("alertId").asText()))
                .toList());
    }

    private static List<JsonNode> readJsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        assertThat(nodes).as(file + " records").isNotEmpty();
        return nodes;
    }

    private static List<String> withoutTimestamps(List<JsonNode> nodes) {
        return nodes.stream().map(n -> {
            ObjectNode copy = n.deepCopy();
            copy.remove("updatedAt");
            copy.remove("createdAt");
            copy.remove("resolvedAt");
            return copy.toString();
        }).toList();
    }

    /** promtool's complaints about an exposition ("" when it accepts it); fails if promtool is missing. */
    private static String promtoolCheckMetrics(String exposition) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertThat(promtool).as("promtool (apt-get install -y prometheus)").exists();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? "" : report;
    }

    /** {@code lethe demo --quick} in a child JVM, with its output collected line by line. */
    private static final class DemoProcess {

        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Set<Long> descendantsSeen = new HashSet<>();

        private DemoProcess(Process process) {
            this.process = process;
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(output closed: " + e + ")");
                }
            }, "demo-output");
            pump.setDaemon(true);
            pump.start();
        }

        static DemoProcess start(Path out, String... extra) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-Djdk.serialFilter=!*",
                    "-cp", System.getProperty("java.class.path"), "dev.lethe.cli.LetheMain",
                    "demo", "--quick", "--out", out.toString(), "--timeout-minutes", "7"));
            command.addAll(List.of(extra));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("OMP_NUM_THREADS", "1");
            return new DemoProcess(pb.start());
        }

        /** Waits until some metrics have flowed, then scrapes the live endpoint the demo announced. */
        String scrapePrometheusOnceMetricsFlow() throws Exception {
            String[] url = {null};
            // polling the child's output while it runs
            Optional<String> exposition = await("a Prometheus exposition with metrics").atMost(Duration.ofMinutes(7))
                    .pollInterval(Duration.ofMillis(500)).pollInSameThread().until(() -> {
                        process.descendants().forEach(h -> descendantsSeen.add(h.pid()));
                        for (String line : lines) {
                            Matcher m = PROMETHEUS_URL.matcher(line);
                            if (m.find()) {
                                url[0] = m.group(1).replaceAll("[,;]$", "");
                            }
                            Matcher e = ELEMENTS.matcher(line);
                            if (url[0] != null && e.find() && Integer.parseInt(e.group(1)) > 0) {
                                HttpResponse<String> response = HttpClient.newHttpClient().send(
                                        HttpRequest.newBuilder(URI.create(url[0])).timeout(Duration.ofSeconds(10)).build(),
                                        HttpResponse.BodyHandlers.ofString());
                                assertThat(response.statusCode()).isEqualTo(200);
                                if (response.body().contains("lethe_forgetting_fg_pct{")) {
                                    return Optional.of(response.body());
                                }
                            }
                        }
                        return process.isAlive() ? null : Optional.<String>empty();
                    }, Objects::nonNull);
            return exposition.orElseThrow(() -> new AssertionError("no Prometheus exposition with metrics while the demo ran; output:\n" + output()));
        }

        /** The page at the dashboard URL the demo printed, fetched while the demo runs. */
        String dashboardPage() throws Exception {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(awaitDashboardUrl())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }

        /** The dashboard URL, as soon as the demo prints it (before training starts). */
        String awaitDashboardUrl() throws InterruptedException {
            // polling the child's output while it runs
            Optional<String> url = await("the dashboard URL printed").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        process.descendants().forEach(h -> descendantsSeen.add(h.pid()));
                        for (String line : lines) {
                            Matcher m = DASHBOARD_URL.matcher(line);
                            if (m.find()) {
                                return Optional.of(m.group(1));
                            }
                        }
                        return process.isAlive() ? null : Optional.<String>empty();
                    }, Objects::nonNull);
            return url.orElseThrow(() -> new AssertionError("no dashboard URL printed; output:\n" + output()));
        }

        boolean running() {
            return process.isAlive();
        }

        int awaitExit(Duration timeout) throws InterruptedException {
            try {
                // each look records the demo's children (checked for leftovers after it exits)
                await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).until(() -> {
                    process.descendants().forEach(h -> descendantsSeen.add(h.pid()));
                    return !process.isAlive();
                });
            } catch (ConditionTimeoutException stillRunning) {
                // reported below
            }
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("demo still running after " + timeout + "; output:\n" + output());
            }
            return process.exitValue();
        }

        /** Child processes of the demo (broker, workers) still alive a few seconds after it exited. */
        List<Long> leftoverProcesses() throws Exception {
            Callable<List<Long>> alive = () -> descendantsSeen.stream()
                    .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList();
            try {
                return await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                        .until(alive, List::isEmpty);
            } catch (ConditionTimeoutException e) {
                return alive.call();
            }
        }

        String output() {
            return String.join("\n", lines);
        }
    }
}
