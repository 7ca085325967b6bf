package io.groupai.fleet.app.web.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessions.SessionStore;
import io.temporal.client.WorkflowClient;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The Scripts, Routing pool and Simulated chat pages in a real browser, against a node running the
 * REAL worker-node agent (bootstrapped over SFTP onto an embedded SSH node) whose account is in a
 * group of the simulated Telegram network: deploy the welcome script from the Scripts page and watch
 * its progress finish, see a validation problem appear at its line as a broken script is typed, add
 * a member on the chat page and see the welcome appear there, disable a routing-pool instance; a
 * viewer sees none of the buttons that change something.
 */
@FleetIntegrationTest
class ScriptsRoutingChatBrowserTest extends BrowserTest {

    static final String WELCOME_ID = "000新人欢迎剧本";
    static final String NODE = "web-node";
    static final String ACCOUNT = "639200000777";
    static final Duration SLOW = Duration.ofSeconds(90);

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @Value("${groupai.router.config}")
    Path routerConfig;

    @TempDir
    Path dir;

    Api api;
    SimulatedFleet fleet;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        fleet = new SimulatedFleet(api, client, dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        fleet.close();
        Files.deleteIfExists(routerConfig);
    }

    @Test
    void deployTheWelcomeScriptWatchItFinishThenAMemberAddedInTheSimulatedGroupIsWelcomed() throws Exception {
        assumeTrue(
                getClass().getClassLoader().getResource("worker-node-dist/distribution.properties") != null,
                "needs the worker-node distribution embedded by the app's build (`./mvnw verify`, or"
                        + " `./mvnw -pl worker-node -am package -DskipTests` before the app's tests)");
        long setUpStarted = System.nanoTime();
        // A node with the real agent, an account running the welcome script there, in a simulated group.
        fleet.realAgentNode(NODE, 3);
        fleet.bootstrapAll(Duration.ofMinutes(3));
        byte[] welcome = Files.readAllBytes(Path.of("../examples/welcome-script.yaml"));
        assertThat(api.post("/api/v1/group-ai/scripts", welcome, "application/yaml")
                        .status())
                .isEqualTo(201);
        Api.Response account = api.post(
                "/api/v1/group-ai/accounts",
                "{\"account_id\": \"" + ACCOUNT + "\", \"script_id\": \"" + WELCOME_ID + "\"}");
        assertThat(account.status()).as(account.body()).isEqualTo(201);
        storeSession(ACCOUNT);
        Api.Response group = api.post("/api/v1/sim-telegram/groups", "{\"title\": \"Browser test lobby (simulated)\"}");
        assertThat(group.status()).isEqualTo(201);
        long chatId = group.json().get("chat_id").asLong();
        assertThat(api.post(
                                "/api/v1/sim-telegram/groups/" + chatId + "/members",
                                "{\"account_id\": \"" + ACCOUNT + "\"}")
                        .status())
                .isEqualTo(201);
        await(
                "a heartbeat from " + NODE,
                SLOW,
                () -> !api.get("/api/v1/group-ai/servers/" + NODE + "/status")
                        .json()
                        .get("last_heartbeat")
                        .isNull());
        Api.Response placed = api.post(
                "/api/v1/group-ai/account-allocation/batch?wait_seconds=60",
                "{\"allocations\": [{\"account_id\": \"" + ACCOUNT + "\", \"server_id\": \"" + NODE + "\"}]}");
        assertThat(placed.status()).as(placed.body()).isEqualTo(200);
        await(
                "account " + ACCOUNT + " online",
                SLOW,
                () -> "online"
                        .equals(api.get("/api/v1/group-ai/accounts/" + ACCOUNT)
                                .json()
                                .get("status")
                                .asString()));
        System.out.printf(
                "browser test set-up (real agent bootstrapped, account online): %.1f s%n",
                (System.nanoTime() - setUpStarted) / 1e9);
        long browserStarted = System.nanoTime();

        signInAsAdmin();

        // Scripts: open the stored welcome script, dry-run a join, deploy it to the node, watch it finish.
        openPage("/admin/scripts.html");
        waitFor(By.cssSelector("button.open-script[data-script-id='" + WELCOME_ID + "']"))
                .click();
        waitForText(By.id("editor-title"), WELCOME_ID + " · version 1.0");
        waitForText(By.id("validity"), "already stored with this content");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("dry-type"))).selectByValue("new_member");
        browser.findElement(By.id("dry-run-button")).click();
        waitForText(By.id("dry-run-answer"), "greeting");
        assertThat(browser.findElement(By.id("dry-run-answer")).getText()).contains("Ana");
        waitFor(By.cssSelector("input.node-pick[value='" + NODE + "']")).click();
        browser.findElement(By.id("deploy-button")).click();
        waitLong(By.cssSelector("#deploy-outcome[data-outcome='ok']"));
        assertThat(browser.findElement(By.cssSelector(".node-status[data-node='" + NODE + "']"))
                        .getDomAttribute("data-status"))
                .isEqualTo("INSTALLED");
        assertThat(browser.findElement(By.id("deploy-nodes")).getText()).contains(ACCOUNT);
        ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("document.getElementById('deploy-progress').scrollIntoView({block: 'end'})");
        screenshot("scripts");

        // Typing a broken script: the problem appears at its line (5), not at the lines around it.
        WebElement editor = browser.findElement(By.id("script-editor"));
        editor.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        editor.sendKeys(String.join(
                "\n",
                "script_id: broken",
                "version: \"1\"",
                "scenes:",
                "- id: a",
                "  triggers: [{type: keyword, keywords: [hi]}, {type: telepathy}]",
                "  responses: [\"hi\"]"));
        // Checked once typing pauses (earlier answers, for half-typed text, are replaced by later ones).
        waitForText(By.id("validity"), "1 problem");
        WebElement marked = waitFor(By.cssSelector("#script-editor-problems li.problem[data-line='5']"));
        assertThat(marked.getText()).startsWith("line 5").contains("telepathy");
        assertThat(browser.findElement(By.cssSelector(".gutter .line-no[data-line='5']"))
                        .getDomAttribute("class"))
                .contains("error");
        assertThat(browser.findElement(By.cssSelector(".gutter .line-no[data-line='5']"))
                        .getDomAttribute("title"))
                .contains("telepathy");
        assertThat(browser.findElements(By.cssSelector(".gutter .line-no.error")))
                .hasSize(1);
        assertThat(browser.findElement(By.id("save-script")).isEnabled()).isFalse();
        screenshot("scripts-validation");

        // Simulated chat: add a member and see the welcome of the account running the script.
        openPage("/admin/chat.html");
        waitFor(By.cssSelector("button.group[data-chat-id='" + chatId + "']")).click();
        waitForText(By.id("chat-title"), "Browser test lobby (simulated)");
        assertThat(bodyText()).contains("SIMULATED Telegram network");
        browser.findElement(By.id("member-name")).sendKeys("Zoe");
        browser.findElement(By.id("add-member")).click();
        waitLong(d -> {
            String chat = d.findElement(By.id("chat-messages")).getText();
            return chat.contains("Welcome, Zoe!") || chat.contains("欢迎 Zoe 加入");
        });
        assertThat(browser.findElement(By.cssSelector("#chat-messages .msg.account"))
                        .getText())
                .contains("Account " + ACCOUNT)
                .contains("Browser test lobby (simulated)");
        browser.findElement(By.id("post-text")).sendKeys("where are the rules?");
        browser.findElement(By.id("post-button")).click();
        waitForText(By.id("chat-messages"), "where are the rules?");
        screenshot("chat");

        // Routing pool: an instance from the config file, disabled from the page.
        Files.createDirectories(routerConfig.getParent());
        Files.writeString(
                routerConfig,
                "{\"accounts\": [{\"id\": \"browser_instance\", \"port\": 9, \"weight\": 2, \"enabled\": true,"
                        + " \"max_concurrent\": 5}], \"router\": {\"port\": 8080, \"strategy\": \"roundrobin\"}}");
        openPage("/admin/routing.html");
        waitLong(By.cssSelector("button.toggle-instance[data-instance='browser_instance']"));
        waitForText(By.id("router-state"), "running");
        browser.findElement(By.cssSelector("button.toggle-instance[data-instance='browser_instance']"))
                .click();
        waitForText(By.cssSelector(".instance-enabled[data-instance='browser_instance']"), "disabled");
        screenshot("routing");
        System.out.printf(
                "browser part (deploy, validation, chat, routing): %.1f s%n",
                (System.nanoTime() - browserStarted) / 1e9);

        // A viewer sees the pages but no button that would fail.
        String viewer = "page-viewer-" + System.nanoTime();
        assertThat(api.post(
                                "/api/v1/auth/users",
                                "{\"username\": \"" + viewer
                                        + "\", \"password\": \"viewer-password-123\", \"role\": \"viewer\"}")
                        .status())
                .isEqualTo(201);
        signIn(viewer, "viewer-password-123");
        openPage("/admin/scripts.html");
        waitFor(By.cssSelector("button.open-script"));
        assertThat(browser.findElement(By.id("save-script")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("deploy")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("dry-run-button")).isDisplayed()).isTrue();
        openPage("/admin/routing.html");
        waitFor(By.cssSelector(".instance-enabled[data-instance='browser_instance']"));
        assertThat(browser.findElements(By.cssSelector("button.toggle-instance")))
                .isNotEmpty()
                .noneMatch(WebElement::isDisplayed);
        openPage("/admin/chat.html");
        waitFor(By.cssSelector("button.group[data-chat-id='" + chatId + "']"));
        assertThat(browser.findElement(By.id("add-member")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("post-button")).isDisplayed()).isFalse();
        waitForText(By.id("chat-messages"), "where are the rules?"); // a viewer watches the chat too
        assertThat(bodyText()).containsAnyOf("Welcome, Zoe!", "欢迎 Zoe 加入").doesNotContain("Exception");
        api.delete("/api/v1/auth/users/" + viewer);
    }

    private void storeSession(String accountId) throws Exception {
        Path temp = sessions.newTempFile();
        try (OutputStream out = Files.newOutputStream(temp);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("td.binlog"));
            zip.write(("SIMULATED placeholder session of " + accountId).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        sessions.store(accountId, temp);
    }

    private void waitLong(By by) {
        waitLong(d -> {
            var found = d.findElements(by);
            return !found.isEmpty() && found.get(0).isDisplayed();
        });
    }

    private void waitLong(ExpectedCondition<Boolean> condition) {
        try {
            new WebDriverWait(browser, SLOW).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            screenshot("timeout-" + getClass().getSimpleName());
            throw new AssertionError("waited " + SLOW.toSeconds() + " s on " + browser.getCurrentUrl()
                    + "; the page says:\n" + bodyText());
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
    }
}
