package io.vectorflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real browser: Debian's chromium, headless, through its chromedriver
 * (installed with apt-get when missing and the test runs as root), against a real server with
 * keys. Every step is checked against the REST API's own answers; each test saves screenshots
 * under {@code target/dashboard} and fails on errors in the browser's console.
 */
class DashboardTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target/dashboard").toAbsolutePath();
    private static final String ADMIN = "dashboard-admin-key-0123456789";
    private static final String READER = "dashboard-reader-key-0123456789";

    @TempDir
    Path dir;
    private TestServer s;
    private ChromeDriver browser;
    private Path downloads;

    @BeforeAll
    static void chromium() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            boolean root = "root".equals(System.getProperty("user.name"));
            Assumptions.assumeTrue(root, "chromium and chromium-driver are not installed and the tests cannot install them"
                    + " (not root): apt-get install chromium chromium-driver");
            for (List<String> cmd : List.of(List.of("apt-get", "install", "-y", "-q", "chromium", "chromium-driver"),
                    List.of("apt-get", "update", "-q"), List.of("apt-get", "install", "-y", "-q", "chromium", "chromium-driver"))) {
                if (Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)) {
                    break;
                }
                System.out.println("DashboardTest: " + String.join(" ", cmd));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).inheritIO().start();
                p.getOutputStream().close();
                p.waitFor(600, TimeUnit.SECONDS);
            }
            Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                    "apt-get could not install chromium and chromium-driver");
        }
        Files.createDirectories(SHOTS);
    }

    private void start() throws Exception {
        Files.createDirectories(dir.resolve("downloads"));
        s = new TestServer(dir.resolve("server"), VectorFlowServer.Settings.of("127.0.0.1", 0).withKeys(new VectorFlowServer.Keys(ADMIN, READER)));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        downloads = dir.resolve("downloads");
        options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 800));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (s != null) {
            s.close();
        }
    }

    private void open(String hash) {
        browser.get(s.url() + "/dashboard/" + hash);
    }

    private void useKey(String key) {
        browser.findElement(By.id("key-input")).sendKeys(key);
        browser.findElement(By.id("key-use")).click();
        await("the key in use", () -> text(By.id("key-state")).contains("key in use"));
    }

    /** The text of the first element {@code by} finds, "" when there is none; the page redraws its tables, so a
     *  row replaced between finding and reading is found again. */
    private String text(By by) {
        for (int attempt = 0; ; attempt++) {
            try {
                List<WebElement> found = browser.findElements(by);
                return found.isEmpty() ? "" : found.getFirst().getText();
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Clicks what {@code by} finds, finding it again when a redraw replaced it first. */
    private void click(By by) {
        for (int attempt = 0; ; attempt++) {
            try {
                browser.findElement(by).click();
                return;
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Saves a screenshot, and checks the page shows no failure of its own (a script error is shown as "Error …"). */
    private void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        assertThat(text(By.id("notice"))).as("the notice on " + name).doesNotStartWith("Error");
    }

    private void type(String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    /** The browser console's errors, but for those {@code expected} names. */
    private List<String> consoleErrors(String... expected) {
        List<String> out = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && java.util.Arrays.stream(expected).noneMatch(e.getMessage()::contains)) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    private JsonNode api(String method, String path, String body) {
        TestServer.Answer a = s.call(method, path, body, "api-key", ADMIN);
        assertThat(a.status()).as(method + " " + path + ": " + a.text()).isEqualTo(200);
        return a.json().path("result");
    }

    @Test
    void anAdminManagesACollectionSearchesAndWatchesItChange() throws Exception {
        start();
        open("");
        await("the prompt for a key", () -> text(By.id("notice")).contains("needs an API key"));
        shot("0-needs-a-key");
        useKey(ADMIN);

        // create a collection in the page; it appears in the API
        type("new-name", "docs");
        type("new-dimension", "4");
        browser.findElement(By.id("create")).click();
        await("the new collection's row", () -> !browser.findElements(By.cssSelector("tr[data-collection='docs']")).isEmpty());
        assertThat(api("GET", "/collections/docs", null).path("config").path("params").path("vectors").path("size").asInt()).isEqualTo(4);

        // points written through the API show up in the count
        api("PUT", "/collections/docs/points?wait=true", "{\"points\": ["
                + "{\"id\": 1, \"vector\": [0.05, 0.61, 0.76, 0.74], \"payload\": {\"city\": \"Berlin\"}},"
                + "{\"id\": 2, \"vector\": [0.19, 0.81, 0.75, 0.11], \"payload\": {\"city\": \"London\"}},"
                + "{\"id\": 3, \"vector\": [0.36, 0.55, 0.47, 0.94], \"payload\": {\"city\": \"Berlin\"}}]}");
        await("the count to reach 3", () -> text(By.cssSelector("tr[data-collection='docs'] td.points")).equals("3"));
        shot("1-collections");

        // settings changed in the page take effect in the API
        click(By.linkText("docs"));
        await("the collection's page", () -> text(By.id("detail-points")).equals("3"));
        await("the settings form filled in", () -> !browser.findElement(By.id("set-m")).getAttribute("value").isEmpty());
        type("set-indexing-threshold", "12345");
        browser.findElement(By.cssSelector("#set-quantization option[value='scalar']")).click();
        browser.findElement(By.id("save-settings")).click();
        await("the settings saved", () -> text(By.id("notice")).contains("Settings saved"));
        JsonNode config = api("GET", "/collections/docs", null).path("config");
        assertThat(config.path("optimizer_config").path("indexing_threshold").asInt()).isEqualTo(12345);
        assertThat(config.path("quantization_config").has("scalar")).isTrue();

        // a payload index made in the page
        type("index-field", "city");
        browser.findElement(By.id("create-index-button")).click();
        await("the index row", () -> !browser.findElements(By.cssSelector("tr[data-index='city']")).isEmpty());
        assertThat(api("GET", "/collections/docs", null).path("payload_schema").path("city").path("data_type").asText()).isEqualTo("keyword");

        // a filtered search in the console answers as the API does
        type("query", "[0.2, 0.1, 0.9, 0.7]");
        type("filter", "{\"must\": [{\"key\": \"city\", \"match\": {\"value\": \"Berlin\"}}]}");
        browser.findElement(By.id("explain")).click();
        browser.findElement(By.id("run-search")).click();
        await("the hits", () -> !browser.findElements(By.cssSelector("#hits td.hit-id")).isEmpty());
        List<String> shown = browser.findElements(By.cssSelector("#hits td.hit-id")).stream().map(WebElement::getText).toList();
        List<String> expected = new ArrayList<>();
        api("POST", "/collections/docs/points/query", "{\"query\": [0.2, 0.1, 0.9, 0.7], \"limit\": 10, \"filter\": {\"must\": "
                + "[{\"key\": \"city\", \"match\": {\"value\": \"Berlin\"}}]}}").path("points").forEach(p -> expected.add(p.path("id").asText()));
        assertThat(shown).isEqualTo(expected).containsExactlyInAnyOrder("1", "3");
        assertThat(text(By.id("performance"))).contains("latency_ms").contains("strategy");
        assertThat(text(By.id("explain-output"))).contains("segments");
        browser.executeScript("document.getElementById('search').scrollIntoView()");
        shot("2-search");

        // a snapshot made in the page is listed by the API
        browser.findElement(By.id("create-snapshot")).click();
        await("the snapshot row", () -> !browser.findElements(By.cssSelector("tr[data-snapshot]")).isEmpty());
        assertThat(api("GET", "/collections/docs/snapshots", null)).hasSize(1);
        shot("2-collection");
        // downloaded through the page, then restored from that file over a collection that lost a point since
        browser.findElement(By.cssSelector("tr[data-snapshot] button")).click();
        String snapshotName = browser.findElement(By.cssSelector("tr[data-snapshot]")).getAttribute("data-snapshot");
        Path downloaded = downloads.resolve(snapshotName);
        await("the downloaded snapshot", () -> Files.exists(downloaded));
        await("the download finished", () -> {
            try {
                return Files.size(downloaded) == api("GET", "/collections/docs/snapshots", null).get(0).path("size").asLong();
            } catch (java.io.IOException e) {
                return false;
            }
        });
        api("POST", "/collections/docs/points/delete?wait=true", "{\"points\": [3]}");
        assertThat(api("POST", "/collections/docs/points/count", "{\"exact\": true}").path("count").asInt()).isEqualTo(2);
        browser.findElement(By.id("restore-file")).sendKeys(downloaded.toString());
        browser.findElement(By.id("restore-button")).click();
        await("the restore", () -> text(By.id("notice")).contains("Snapshot restored"));
        assertThat(api("POST", "/collections/docs/points/count", "{\"exact\": true}").path("count").asInt()).isEqualTo(3);

        // live charts from /metrics move with searches and writes sent meanwhile
        browser.findElement(By.id("nav-monitor")).click();
        java.util.concurrent.atomic.AtomicBoolean traffic = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = Thread.ofVirtual().start(() -> {
            for (int i = 10; traffic.get(); i++) {
                s.call("POST", "/collections/docs/points/query", "{\"query\": [0.2, 0.1, 0.9, 0.7], \"limit\": 3}", "api-key", ADMIN);
                s.call("PUT", "/collections/docs/points?wait=true", "{\"points\": [{\"id\": " + i + ", \"vector\": [1, 2, 3, "
                        + i + "]}]}", "api-key", ADMIN);
            }
        });
        try {
            await("requests, latency and ingest in the charts", () -> text(By.id("legend-qps")).matches(".*REST: [1-9][0-9.k]*.*")
                    && text(By.id("legend-latency")).matches(".*p50: [0-9.]+ ms.*")
                    && text(By.id("legend-ingest")).matches(".*points/s: [1-9][0-9.k]*.*")
                    && text(By.id("legend-lag")).matches(".*points waiting: [0-9].*"));
            Thread.sleep(6_000); // a few more scrapes, for the picture
            shot("3-monitor");
        } finally {
            traffic.set(false);
            load.join();
        }
        api("POST", "/collections/docs/points/delete?wait=true", "{\"filter\": {\"must_not\": [{\"has_id\": [1, 2, 3]}]}}");

        // keys: one made in the page works against the API
        browser.findElement(By.id("nav-keys")).click();
        browser.findElement(By.name("name")).sendKeys("ci-reader");
        browser.findElement(By.cssSelector("#create-key button")).click();
        await("the new key's secret", () -> !text(By.id("secret")).isEmpty());
        assertThat(s.call("GET", "/collections", null, "api-key", text(By.id("secret"))).status()).isEqualTo(200);
        String id = api("GET", "/admin/keys", null).path("keys").get(0).path("id").asText();
        await("the new key listed", () -> text(By.cssSelector("tr[data-key='" + id + "']")).contains("read-only"));
        assertThat(text(By.cssSelector("tr[data-tenant='default']"))).contains("1 (no limit)");
        assertThat(text(By.id("notice"))).doesNotContain("Error");
        shot("4-keys");

        // on a phone-width screen nothing is wider than the screen (tables scroll in their boxes)
        browser.manage().window().setSize(new Dimension(390, 844));
        open("#/");
        await("the collections on a phone", () -> text(By.cssSelector("tr[data-collection='docs'] td.points")).equals("3"));
        Number scroll = (Number) browser.executeScript("return document.documentElement.scrollWidth - window.innerWidth");
        assertThat(scroll.intValue()).as("horizontal overflow of the page on a phone").isLessThanOrEqualTo(0);
        shot("5-phone");
        open("#/c/docs");
        await("the collection's page on a phone", () -> text(By.id("detail-points")).equals("3"));
        Number detailScroll = (Number) browser.executeScript("return document.documentElement.scrollWidth - window.innerWidth");
        assertThat(detailScroll.intValue()).as("horizontal overflow of the collection's page on a phone").isLessThanOrEqualTo(0);
        shot("5-phone-collection");
        browser.manage().window().setSize(new Dimension(1280, 800));

        // delete with confirmation
        open("#/");
        await("the delete button", () -> !browser.findElements(By.cssSelector("button[data-delete='docs']")).isEmpty());
        click(By.cssSelector("button[data-delete='docs']"));
        browser.findElement(By.id("confirm-cancel")).click();
        assertThat(s.call("GET", "/collections/docs/exists", null, "api-key", ADMIN).json().path("result").path("exists").asBoolean()).isTrue();
        click(By.cssSelector("button[data-delete='docs']"));
        browser.findElement(By.id("confirm-delete")).click();
        await("the collection gone", () -> browser.findElements(By.cssSelector("tr[data-collection='docs']")).isEmpty());
        assertThat(s.call("GET", "/collections/docs/exists", null, "api-key", ADMIN).json().path("result").path("exists").asBoolean()).isFalse();
        // the first page, opened without a key, asked for one: the 401s it drew are the expected console lines
        assertThat(consoleErrors("status of 401")).isEmpty();
    }

    @Test
    void aReadOnlyKeySeesButItsEditsAreRefusedAndShownAsSuch() throws Exception {
        start();
        api("PUT", "/collections/shared", "{\"vectors\": {\"size\": 4, \"distance\": \"Dot\"}}");
        api("PUT", "/collections/shared/points?wait=true", "{\"points\": [{\"id\": 7, \"vector\": [1, 0, 0, 0]}]}");
        open("");
        useKey(READER);
        await("the collection", () -> text(By.cssSelector("tr[data-collection='shared'] td.points")).equals("1"));
        type("new-name", "mine");
        type("new-dimension", "4");
        browser.findElement(By.id("create")).click();
        await("the refusal", () -> text(By.id("notice")).contains("Refused (403)"));
        shot("6-read-only-refused");
        assertThat(s.call("GET", "/collections/mine/exists", null, "api-key", ADMIN).json().path("result").path("exists").asBoolean()).isFalse();

        open("#/c/shared");
        await("the settings form filled in", () -> !browser.findElement(By.id("set-m")).getAttribute("value").isEmpty());
        type("set-indexing-threshold", "777");
        browser.findElement(By.id("save-settings")).click();
        await("the refusal", () -> text(By.id("notice")).contains("Refused (403)"));
        assertThat(api("GET", "/collections/shared", null).path("config").path("optimizer_config").path("indexing_threshold").asInt())
                .isNotEqualTo(777);
        // reads work: a search in the console
        type("query", "7");
        browser.findElement(By.id("run-search")).click();
        await("the hits", () -> !browser.findElements(By.cssSelector("#hits td.hit-id")).isEmpty());
        shot("7-read-only-search");
        // the refused calls (and the first page's, made before the key was entered) are the console's only errors
        assertThat(consoleErrors("status of 401", "status of 403")).isEmpty();
    }
}
