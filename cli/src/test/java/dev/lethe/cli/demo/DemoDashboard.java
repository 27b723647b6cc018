package dev.lethe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.testkit.ExternalProcess;
import dev.lethe.testkit.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium watching the live dashboard of a running {@code lethe demo}: opened as soon as the demo prints
 * its URL, it records every state of the family table while the campaign runs, follows an alert to its element's
 * trajectory, takes the README's screenshots ({@code docs/img/}), and after the demo compares what it shows with
 * {@code metrics.jsonl}.
 */
final class DemoDashboard implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Every distinct state of the family table's stage column, recorded in the page every 100 ms. */
    private static final String RECORD_STAGES = """
            window.__stages = [];
            setInterval(() => {
              const now = [...document.querySelectorAll('#families td[data-testid=latest-stage]')].map(c => c.textContent).join(',');
              if (window.__stages[window.__stages.length - 1] !== now) window.__stages.push(now);
            }, 100);""";

    private final WebDriver browser;
    private final Object timeOrigin;

    private DemoDashboard(WebDriver browser) {
        this.browser = browser;
        this.timeOrigin = js("return window.performance.timeOrigin");
    }

    /** The page in Chromium, or empty (with a note) when Chromium is not installed here and CI does not require it. */
    static Optional<DemoDashboard> openIfInstalled(String url, Path dir) {
        if (!HeadlessChromium.installed() && !ExternalProcess.toolsRequired()) {
            System.err.println("DemoIT: chromium/chromium-driver not installed, the dashboard is not watched in a browser");
            return Optional.empty();
        }
        WebDriver browser = HeadlessChromium.start(dir, 1400, 1700);
        browser.get(url);
        new WebDriverWait(browser, TIMEOUT).until(b -> "live".equals(b.findElement(By.id("connection")).getText()));
        ((JavascriptExecutor) browser).executeScript(RECORD_STAGES);
        return Optional.of(new DemoDashboard(browser));
    }

    /**
     * While the demo runs: waits for a firing alert on an element (or the demo's end), screenshots the page, clicks
     * the alert and checks that its run's element trajectories are shown, and screenshots that.
     */
    void followAnAlertWhileLive(BooleanSupplier demoRunning) throws Exception {
        By alertRow = By.cssSelector("#alerts tr.state-FIRING[data-alert-id]");
        new WebDriverWait(browser, Duration.ofMinutes(7)).until(b -> !demoRunning.getAsBoolean()
                || (b.findElements(alertRow).size() > 0 && b.findElements(By.cssSelector("#families tr[data-family]")).size() >= 2));
        HeadlessChromium.screenshot(browser, "dashboard-live.png", Path.of("target"));
        assertThat(browser.findElements(alertRow)).as("a firing alert on the page").isNotEmpty();
        // The live table is redrawn on every update, and a new alert shifts the rows down: a click can land on the
        // row that took the clicked one's place, or miss. So click the first alert row until a row is selected
        // (the wait polls every 500 ms), then follow the alert that was selected, whichever it is.
        WebDriverWait wait = new WebDriverWait(browser, TIMEOUT);
        wait.ignoring(StaleElementReferenceException.class);
        By selectedRow = By.cssSelector("#alerts tr.selected[data-alert-id]");
        wait.until(b -> {
            if (!b.findElements(selectedRow).isEmpty()) {
                return true;
            }
            b.findElements(By.cssSelector("#alerts tr[data-alert-id]")).stream().findFirst().ifPresent(WebElement::click);
            return false;
        });
        String[] picked = new String[2];
        wait.until(b -> {
            WebElement row = b.findElement(selectedRow);
            picked[0] = row.getAttribute("data-alert-id");
            picked[1] = row.findElements(By.tagName("td")).get(3).getText().replaceFirst("^.* / ", "");
            return true;
        });
        String alertId = picked[0];
        String model = picked[1];
        wait.until(b -> alertId.equals(b.findElement(selectedRow).getAttribute("data-alert-id")));
        assertThat(browser.findElement(By.id("model")).getAttribute("value")).isEqualTo(model);
        wait.until(b -> Integer.parseInt(b.findElement(By.id("chart-elements")).getAttribute("data-lines")) > 0);
        HeadlessChromium.screenshot(browser, "dashboard-alert.png", Path.of("target"));
    }

    /**
     * After the demo: the same page (never reloaded) saw the table change as stages came in, and shows each family's
     * latest stage and FG per category exactly as metrics.jsonl has them.
     */
    void assertShowedTheCampaignLive(List<JsonNode> metrics) {
        assertThat(js("return window.performance.timeOrigin")).as("the same page, never reloaded").isEqualTo(timeOrigin);
        @SuppressWarnings("unchecked")
        List<String> states = (List<String>) js("return window.__stages");
        assertThat(states.stream().filter(s -> !s.isEmpty()).distinct().count())
                .as("states of the stage column while the campaign ran: %s", states).isGreaterThanOrEqualTo(2);

        Map<String, Integer> latest = new HashMap<>();
        Map<String, String> fg = new HashMap<>();
        for (JsonNode m : metrics) {
            if ("FAMILY".equals(m.get("scope").asText()) && !"task".equals(m.get("category").asText())) {
                String family = m.get("campaign").asText() + "|" + m.get("family").asText();
                latest.merge(family, m.get("stage").asInt(), Math::max);
                fg.put(family + "|" + m.get("stage").asInt() + "|" + m.get("category").asText(),
                        m.get("fgPct").isNull() ? "–" : String.format(Locale.ROOT, "%.2f", m.get("fgPct").asDouble()));
            }
        }
        List<WebElement> rows = browser.findElements(By.cssSelector("#families tr[data-family]"));
        assertThat(rows).hasSize(latest.size());
        for (WebElement row : rows) {
            String family = row.findElements(By.tagName("td")).get(0).getText() + "|" + row.getAttribute("data-family");
            String stage = row.findElement(By.cssSelector("td[data-testid=latest-stage]")).getText();
            assertThat(stage).as("latest stage of %s", family).isEqualTo(String.valueOf(latest.get(family)));
            for (WebElement cell : row.findElements(By.cssSelector("td[data-testid=fg]"))) {
                String key = family + "|" + stage + "|" + cell.getAttribute("data-category");
                assertThat(cell.getText()).as("FG shown for %s", key).isEqualTo(fg.getOrDefault(key, "–"));
            }
        }
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    @Override
    public void close() {
        browser.quit();
    }
}
