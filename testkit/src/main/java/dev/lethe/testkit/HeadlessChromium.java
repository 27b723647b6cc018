package dev.lethe.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium (package {@code chromium}) driven through its own chromedriver ({@code chromium-driver}) by
 * Selenium: both binaries are given, so Selenium Manager never downloads a browser or a driver.
 */
public final class HeadlessChromium {

    private HeadlessChromium() {
    }

    /** A headless browser with a fresh profile in {@code dir}; skipped or failed as {@link ExternalProcess#missing} says. */
    public static WebDriver start(Path dir, int width, int height) {
        Path chromium = ExternalProcess.binary("chromium", "chromium");
        Path chromedriver = ExternalProcess.binary("chromedriver", "chromium-driver");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-dev-shm-usage", "--window-size=" + width + "," + height, "--user-data-dir=" + dir.resolve("profile"));
        return new ChromeDriver(service, options);
    }

    /** Whether both binaries are installed (for a test that does more than drive the browser). */
    public static boolean installed() {
        return ExternalProcess.installed("chromium") && ExternalProcess.installed("chromedriver");
    }

    /**
     * Saves a screenshot as {@code docs/img/NAME} of the repository when the test runs in one of its modules (the
     * README shows them), else into {@code fallbackDir}; returns where it went.
     */
    public static Path screenshot(WebDriver browser, String name, Path fallbackDir) throws java.io.IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Path docs = Path.of("").toAbsolutePath().getParent().resolve("docs");
        Path target = (Files.isDirectory(docs) ? docs.resolve("img") : fallbackDir).resolve(name);
        Files.createDirectories(target.getParent());
        Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
