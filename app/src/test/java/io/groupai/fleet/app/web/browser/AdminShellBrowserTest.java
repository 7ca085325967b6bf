package io.groupai.fleet.app.web.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.FleetIntegrationTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The pages' shell in a real browser: sign-in, the navigation bar, sign-out, no page without a sign-in. */
@FleetIntegrationTest
class AdminShellBrowserTest extends BrowserTest {

    @Test
    void signInShowsTheNavigationAndSignOutGoesBackToTheSignInPage() {
        open("/admin/login.html");
        waitFor(By.id("sign-in-button"));
        screenshot("login");

        // A page without a sign-in sends the browser to the sign-in page, and back after it.
        open("/admin/servers.html");
        waitFor(By.id("sign-in-button"));
        assertThat(browser.getCurrentUrl()).contains("/admin/login.html").contains("next=");

        // A wrong password is a readable message, not a stack trace.
        browser.findElement(By.id("username")).clear();
        browser.findElement(By.id("username")).sendKeys("test-admin");
        browser.findElement(By.id("password")).sendKeys("not-the-password-1");
        browser.findElement(By.id("sign-in-button")).click();
        waitForText(By.id("fleet-messages"), "wrong username or password");
        assertThat(bodyText()).doesNotContain("Exception").doesNotContain("at io.");

        signInAsAdmin();
        assertThat(browser.getCurrentUrl()).endsWith("/admin/");
        assertThat(texts(By.cssSelector(".topbar nav a")))
                .containsExactly(
                        "Overview",
                        "Servers",
                        "Accounts",
                        "Allocation",
                        "Scripts",
                        "Workflows",
                        "Routing pool",
                        "Simulated chat (demo)");
        waitForText(By.id("fleet-user"), "test-admin");
        waitForText(By.cssSelector(".topbar .who"), "admin");
        waitFor(By.cssSelector("#totals .card"));
        screenshot("overview");

        browser.findElement(By.id("sign-out")).click();
        waitFor(By.id("sign-in-button"));
        open("/admin/");
        waitFor(By.id("sign-in-button"));
    }
}
