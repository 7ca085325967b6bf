package io.groupai.fleet.app.web.browser;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.app.Api;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the admin pages' browser tests: headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}, or {@code CHROMIUM_BINARY}/{@code CHROMEDRIVER}) driven through
 * chromedriver against the test app's real port. A subclass is a {@code @FleetIntegrationTest}; its
 * tests are skipped with a message where the browser or its driver is missing ({@code .ci/run}
 * installs them). One browser per test class; helpers sign in, wait for text and save a screenshot
 * of a page to {@code target/screenshots/<name>.png} (the app module's target).
 */
public abstract class BrowserTest {

    private static final Logger log = LoggerFactory.getLogger(BrowserTest.class);

    /** How long a page may take to show what a test waits for. */
    protected static final Duration WAIT = Duration.ofSeconds(15);

    protected static WebDriver browser;

    @LocalServerPort
    protected int port;

    @BeforeAll
    static void startBrowser() throws IOException {
        Path chromium = Path.of(env("CHROMIUM_BINARY", "/usr/bin/chromium"));
        Path driver = Path.of(env("CHROMEDRIVER", "/usr/bin/chromedriver"));
        assumeTrue(
                Files.isExecutable(chromium) && Files.isExecutable(driver),
                "browser tests skipped: no headless Chromium at " + chromium + " or no chromedriver at " + driver
                        + " (apt-get install chromium chromium-driver, or set CHROMIUM_BINARY/CHROMEDRIVER)");
        Path profile = Files.createTempDirectory("groupai-chromium-");
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium.toFile())
                .addArguments(
                        "--headless=new",
                        // Root in CI and containers: Chromium's sandbox needs user namespaces it may not have.
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--disable-extensions",
                        "--no-first-run",
                        "--window-size=1400,1000",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        log.info("browser tests use {} through {}", chromium, driver);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    protected String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Opens a path of the app, e.g. {@code /admin/servers.html}. */
    protected void open(String path) {
        browser.get(url(path));
    }

    /** Signs in as the tests' admin through the sign-in page. */
    protected void signInAsAdmin() {
        signIn(Api.TEST_ADMIN_USERNAME, Api.TEST_ADMIN_PASSWORD);
    }

    /** Signs in through the sign-in page (forgetting any earlier sign-in) and waits for the Overview. */
    protected void signIn(String username, String password) {
        open("/admin/login.html");
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        open("/admin/login.html");
        WebElement user = waitFor(By.id("username"));
        user.clear();
        user.sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in-button")).click();
        waitForPageReady();
        waitForText(By.id("fleet-user"), username);
    }

    /** Opens a page and waits until its first render is done ({@code body[data-ready]}). */
    protected void openPage(String path) {
        open(path);
        waitForPageReady();
    }

    protected void waitForPageReady() {
        waitFor(By.cssSelector("body[data-ready='true']"));
    }

    /** The first element matching, once it is visible. */
    protected WebElement waitFor(By by) {
        return until(ExpectedConditions.visibilityOfElementLocated(by), "an element " + by);
    }

    /** Waits until the page's text contains this text. */
    protected void waitForText(String text) {
        waitForText(By.tagName("body"), text);
    }

    /** Waits until the element's text contains this text. */
    protected void waitForText(By by, String text) {
        until(ExpectedConditions.textToBePresentInElementLocated(by, text), "text '" + text + "' in " + by);
    }

    protected <T> T until(org.openqa.selenium.support.ui.ExpectedCondition<T> condition, String what) {
        try {
            return new WebDriverWait(browser, WAIT).until(condition);
        } catch (TimeoutException e) {
            screenshot("timeout-" + getClass().getSimpleName());
            throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what + " on " + browser.getCurrentUrl()
                    + "; the page says:\n" + bodyText());
        }
    }

    protected String bodyText() {
        try {
            return browser.findElement(By.tagName("body")).getText();
        } catch (RuntimeException e) {
            return "(no body: " + e.getMessage() + ")";
        }
    }

    /** The texts of the elements matching, e.g. to check what buttons a role sees. */
    protected List<String> texts(By by) {
        return browser.findElements(by).stream()
                .filter(WebElement::isDisplayed)
                .map(WebElement::getText)
                .collect(Collectors.toList());
    }

    /** Saves the window as target/screenshots/{name}.png and answers its path. */
    protected Path screenshot(String name) {
        try {
            Path dir = Path.of("target", "screenshots");
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".png");
            Path shot =
                    ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.move(shot, file, StandardCopyOption.REPLACE_EXISTING);
            log.info("screenshot {}", file.toAbsolutePath());
            return file;
        } catch (IOException | RuntimeException e) {
            log.warn("could not save the screenshot {}: {}", name, e.toString());
            return null;
        }
    }
}
