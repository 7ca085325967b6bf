package io.groupai.fleet.app.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessions.SessionStore;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The Overview, Servers, Accounts, Allocation and Workflows pages in a real browser, on a test fleet
 * of two simulated servers (real SSH, in-process node agents) and four accounts: an admin opens each
 * page (a screenshot each), allocates the accounts with a strategy and sees the summary change; a
 * viewer sees the same data and none of the buttons that would fail.
 */
@FleetIntegrationTest
class AdminPagesBrowserTest extends BrowserTest {

    private static final List<String> ACCOUNTS =
            List.of("639270000001", "639270000002", "639270000003", "639270000004");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @TempDir
    Path dir;

    Api api;
    SimulatedFleet fleet;

    @BeforeEach
    void setUp() throws Exception {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        fleet = null;
        SimulatedFleet.accounts(api, sessions, ACCOUNTS, true);
    }

    @AfterEach
    void tearDown() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void anAdminOpensEveryPageAndAllocatesTheAccountsWithAStrategy() throws InterruptedException {
        fleet = new SimulatedFleet(api, client, dir);
        fleet.node("web-a", 5, true).node("web-b", 5, true).start();
        signInAsAdmin();

        // Overview: the servers with usage and health, the totals.
        waitForText(By.id("servers"), "web-b");
        waitForText(By.cssSelector("[data-total=unallocated] .number"), "4");
        assertThat(bodyText()).contains("healthy");
        screenshot("overview");

        // Servers: filtered on the server, and a server's detail with its operations.
        openPage("/admin/servers.html");
        waitForText(By.id("server-list"), "web-a");
        new Select(browser.findElement(By.id("filter-health"))).selectByValue("unhealthy");
        waitForText(By.id("server-list"), "No server matches");
        new Select(browser.findElement(By.id("filter-health"))).selectByValue("");
        waitForText(By.id("server-list"), "web-b");
        browser.findElement(By.cssSelector("button[data-server='web-a']")).click();
        waitForText(By.id("server-detail"), "Server web-a");
        waitForText(By.id("server-metrics"), "samples");
        waitForText(By.id("server-workflows"), "server-op-web-a");
        assertThat(texts(By.cssSelector("#server-operations button")))
                .contains("Start", "Stop", "Restart", "Bootstrap", "Drain");
        screenshot("servers");

        // Accounts: all four unallocated, with their actions.
        openPage("/admin/accounts.html");
        waitForText(By.id("account-list"), ACCOUNTS.get(3));
        assertThat(texts(By.cssSelector("button[data-upload]"))).hasSize(4);
        // Upload a session through the file picker; a file that is no session is refused with a reason.
        browser.findElement(By.cssSelector("button[data-upload='" + ACCOUNTS.get(0) + "']"))
                .click();
        browser.findElement(By.id("session-file"))
                .sendKeys(
                        tdlibZip(dir.resolve("not-a-session.zip"), "readme.txt").toString());
        browser.findElement(By.id("session-upload")).click();
        waitForText(By.id("fleet-messages"), "td.binlog");
        browser.findElement(By.cssSelector("button[data-upload='" + ACCOUNTS.get(0) + "']"))
                .click();
        browser.findElement(By.id("session-file"))
                .sendKeys(tdlibZip(dir.resolve("session.zip"), "td.binlog").toString());
        browser.findElement(By.id("session-upload")).click();
        waitForText(By.id("fleet-messages"), "Session of " + ACCOUNTS.get(0) + " stored");
        screenshot("accounts");

        // Allocation: a strategy, one click, and the summary changes to all placed.
        openPage("/admin/allocation.html");
        waitForText(By.cssSelector("[data-total=unallocated] .number"), "4");
        new Select(browser.findElement(By.id("strategy"))).selectByValue("round_robin");
        browser.findElement(By.id("allocate-auto")).click();
        waitForText(By.id("auto-message"), "planned with round_robin");
        waitForText(By.cssSelector("[data-total=placed] .number"), "4");
        waitForText(By.cssSelector("[data-total=unallocated] .number"), "0");
        waitForText(By.id("auto-state"), "4 of 4 placed");
        waitForText(By.id("allocation-history"), ACCOUNTS.get(0));
        // Round robin over two servers of equal capacity: two each.
        waitForText(By.id("allocation-servers"), "2 / 5");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = 'web-a' AND status = 'online'")
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
        // Manual batch is checked as you type.
        browser.findElement(By.id("batch")).sendKeys(ACCOUNTS.get(0) + " web-z");
        waitForText(By.id("batch-check"), "no server web-z");
        waitForText(By.id("batch-check"), "is already on");
        assertThat(browser.findElement(By.id("allocate-batch")).isEnabled()).isFalse();
        screenshot("allocation");

        // Workflows: the allocation, finished, with its outcome.
        openPage("/admin/workflows.html");
        waitForText(By.id("recent-workflows"), "allocate-");
        waitForText(By.id("recent-workflows"), "4 of 4 placed, 0 failed");
        browser.findElement(By.xpath("//div[@id='recent-workflows']//button[starts-with(., 'allocate-')]"))
                .click();
        waitForText(By.id("workflow-detail"), "4 of 4 placed");
        screenshot("workflows");
    }

    @Test
    void aViewerSeesTheDataButNoButtonThatWouldFail() {
        // Registered only: the viewer's pages need data, not a working server.
        assertThat(api.post("/api/v1/group-ai/servers", """
                        {"node_id": "web-a", "host": "127.0.0.1", "port": 2222, "user": "u", "password": "pw-web-a",
                         "deploy_dir": "/srv/groupai", "max_accounts": 5}""").status()).isEqualTo(201);
        String password = "page-viewer-password-1";
        if (jdbc.sql("SELECT COUNT(*) FROM operator_users WHERE username = 'page-viewer'")
                        .query(Long.class)
                        .single()
                == 0) {
            assertThat(api.post(
                                    "/api/v1/auth/users",
                                    "{\"username\": \"page-viewer\", \"password\": \"" + password
                                            + "\", \"role\": \"viewer\"}")
                            .status())
                    .isEqualTo(201);
        }
        signIn("page-viewer", password);
        waitForText(By.cssSelector(".topbar .who"), "viewer");

        openPage("/admin/allocation.html");
        waitForText(By.cssSelector("[data-total=unallocated] .number"), "4");
        assertThat(browser.findElement(By.id("allocate-auto")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("batch-form")).isDisplayed()).isFalse();

        openPage("/admin/servers.html?server=web-a");
        waitForText(By.id("server-metrics"), "samples");
        assertThat(texts(By.cssSelector("#server-operations button"))).isEmpty();
        assertThat(browser.findElement(By.id("new-server")).isDisplayed()).isFalse();

        openPage("/admin/accounts.html");
        waitForText(By.id("account-list"), ACCOUNTS.get(0));
        assertThat(texts(By.cssSelector("button[data-upload]"))).isEmpty();
        assertThat(browser.findElement(By.id("new-account")).isDisplayed()).isFalse();
        screenshot("accounts-viewer");
    }

    private static Path tdlibZip(Path file, String entry) {
        try (var zip = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(file))) {
            zip.putNextEntry(new java.util.zip.ZipEntry(entry));
            zip.write(("a simulated TDLib database " + entry).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }
}
