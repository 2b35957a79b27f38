package dev.seedforge.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seedforge.config.PipelineSpec;
import dev.seedforge.config.SpecLoader;
import dev.seedforge.pipeline.RunPlan;
import dev.seedforge.pipeline.TopUp;
import dev.seedforge.testing.LoopbackLlmServer;
import dev.seedforge.util.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * report.html in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium):
 * no console errors or warnings, every chart drawn as a non-empty SVG, and the numbers on the page
 * and in the charts equal the manifest's. Left out of {@code mvn -B test}; run it with
 * {@code mvn -B test -Pbrowser} after {@code apt-get install -y chromium chromium-driver}. It saves
 * a full-page screenshot of each report under target/report-screenshots/.
 */
@Tag("browser")
class ReportBrowserTest {
  static final Path CHROMIUM = Path.of(System.getProperty("seedforge.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("seedforge.chromedriver", "/usr/bin/chromedriver"));
  static final Path SCREENSHOTS = Path.of("target/report-screenshots");

  /** Selenium looks for a DevTools binding of this Chromium version; the test uses none. */
  static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

  @TempDir static Path dir;
  static ChromeDriver browser;

  @BeforeAll
  static void startBrowser() throws IOException {
    CDP_LOG.setLevel(Level.SEVERE);
    assertThat(CHROMIUM).as("headless Chromium: apt-get install -y chromium chromium-driver").isExecutable();
    assertThat(CHROMEDRIVER).as("ChromeDriver: apt-get install -y chromium-driver").isExecutable();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // the flags this machine needs: no sandbox as root, and no background connections to a closed network
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void the_example_pipelines_report_renders_with_the_manifests_numbers() throws IOException {
    // given the example pipeline run offline, as ./seedforge run does
    Path out = dir.resolve("offline");
    PipelineSpec spec = SpecLoader.load(Path.of("pipelines/support-intents.yaml"), Map.of(),
        new SpecLoader.Overrides("lexical", null, null, null, out.toString()));
    TopUp.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());

    // then its report.html opens cleanly and shows what the manifest says
    checkReport(out, "support-intents-offline");
  }

  @Test
  void a_report_with_calls_cost_and_rounds_renders_with_the_manifests_numbers() throws IOException {
    Path out = dir.resolve("llm");
    try (LoopbackLlmServer server = new LoopbackLlmServer(11)) {
      server.script((n, body) -> n % 9 == 4 ? LoopbackLlmServer.Behavior.PROSE : null);
      PipelineSpec spec = SpecLoader.load(Path.of("pipelines/support-intents.yaml"), Map.of("XDG_CACHE_HOME", dir.resolve("cache").toString()),
          new SpecLoader.Overrides("openai", null, server.baseUrl(), null, out.toString()));
      TopUp.run(RunPlan.prepare(spec, Map.of()), PipelineOptionsFactory.create());
    }
    JsonNode manifest = checkReport(out, "support-intents-llm");
    assertThat(manifest.path("calls").path("made").path("total").asLong()).isPositive();
    assertThat(chartIds()).contains("chart-calls", "chart-rounds");
    JsonNode calls = option("calls");
    List<String> labels = Json.mapper().convertValue(calls.path("xAxis").get(0).path("data"), new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {});
    for (int i = 0; i < labels.size(); i++) {
      assertThat(calls.path("series").get(0).path("data").get(i).asLong()).as("calls made for " + labels.get(i))
          .isEqualTo(manifest.path("calls").path("made").path("per_label").path(labels.get(i)).asLong());
    }
  }

  @Test
  void markup_in_the_runs_texts_stays_text_in_the_browser() throws IOException {
    RunDirFixture fixture = new RunDirFixture(dir.resolve("markup"));
    Path page = HtmlReport.write(fixture.run);

    browser.get(page.toUri().toString());

    assertThat(consoleMessages()).isEmpty();
    assertThat(browser.findElements(By.cssSelector("img, i, b, u"))).isEmpty();
    assertThat(browser.findElement(By.tagName("body")).getText()).contains(RunDirFixture.SEED_TEXT, RunDirFixture.KEPT_TEXT, RunDirFixture.WARNING);
    assertThat((Long) browser.executeScript("return document.scripts.length")).isEqualTo(3L);
  }

  @Test
  void the_console_check_sees_errors_and_warnings() throws IOException {
    // the harness itself: a page that logs an error, a warning and throws is caught
    Path page = dir.resolve("noisy.html");
    Files.writeString(page, "<!DOCTYPE html><html><body><script>console.error('bad'); console.warn('odd'); missing();</script></body></html>");

    browser.get(page.toUri().toString());

    assertThat(consoleMessages()).hasSize(3).anySatisfy(m -> assertThat(m).contains("bad")).anySatisfy(m -> assertThat(m).contains("missing"));
  }

  /** Opens a run's report.html and checks console, charts and numbers; returns the manifest. */
  static JsonNode checkReport(Path runDir, String name) throws IOException {
    JsonNode manifest = Json.mapper().readTree(runDir.resolve("manifest.json").toFile());
    browser.manage().window().setSize(new Dimension(1280, 900));
    browser.get(runDir.resolve(HtmlReport.FILE).toUri().toString());

    assertThat(consoleMessages()).as("console messages of " + name).isEmpty();

    List<WebElement> charts = browser.findElements(By.cssSelector("div.chart"));
    assertThat(charts).hasSizeGreaterThanOrEqualTo(5);
    for (WebElement chart : charts) {
      List<WebElement> svg = chart.findElements(By.tagName("svg"));
      assertThat(svg).as(chart.getAttribute("id") + " has an svg").hasSize(1);
      assertThat(svg.get(0).getSize().getWidth()).as(chart.getAttribute("id") + " width").isGreaterThan(300);
      assertThat(svg.get(0).findElements(By.cssSelector("path, rect")).size()).as(chart.getAttribute("id") + " shapes").isGreaterThan(10);
    }

    List<WebElement> numbers = browser.findElements(By.cssSelector("[data-manifest]"));
    assertThat(numbers).hasSizeGreaterThan(10);
    for (WebElement e : numbers) {
      String pointer = e.getAttribute("data-manifest");
      JsonNode v = manifest.at(pointer);
      assertThat(v.isMissingNode()).as(pointer + " is in the manifest").isFalse();
      assertThat(e.getText()).as(pointer).isEqualTo(v.isNumber() && !v.isIntegralNumber() ? String.format(java.util.Locale.ROOT, "%.4f", v.asDouble()) : v.asText());
    }

    // the charts were drawn from the manifest's figures
    JsonNode labels = option("labels");
    JsonNode categories = labels.path("xAxis").get(0).path("data");
    for (int i = 0; i < categories.size(); i++) {
      String label = categories.get(i).asText();
      assertThat(labels.path("series").get(0).path("data").get(i).asLong()).as("generated " + label)
          .isEqualTo(manifest.path("stages").path("generated").path("per_label").path(label).asLong());
      assertThat(labels.path("series").get(3).path("data").get(i).asLong()).as("kept " + label)
          .isEqualTo(manifest.path("balance").path(label).path("kept").asLong());
    }
    JsonNode rejections = option("rejections");
    JsonNode rejectedLabels = rejections.path("xAxis").get(0).path("data");
    for (int i = 0; i < rejectedLabels.size(); i++) {
      long sum = 0;
      for (JsonNode s : rejections.path("series")) {
        sum += s.path("data").get(i).asLong();
      }
      assertThat(sum).as("rejected " + rejectedLabels.get(i).asText())
          .isEqualTo(manifest.path("rejections").path("all").path("per_label").path(rejectedLabels.get(i).asText()).asLong());
    }
    screenshot(name);
    return manifest;
  }

  static List<String> chartIds() {
    return browser.findElements(By.cssSelector("div.chart")).stream().map(e -> e.getAttribute("id")).toList();
  }

  /** The option ECharts holds for a chart, as the page set it. */
  static JsonNode option(String id) throws IOException {
    String json = (String) ((JavascriptExecutor) browser).executeScript(
        "return JSON.stringify(echarts.getInstanceByDom(document.getElementById('chart-' + arguments[0])).getOption())", id);
    return Json.mapper().readTree(json);
  }

  static List<String> consoleMessages() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogEntry::toString).toList();
  }

  static void screenshot(String name) throws IOException {
    Number height = (Number) browser.executeScript("return document.documentElement.scrollHeight");
    browser.manage().window().setSize(new Dimension(1280, height.intValue() + 20));
    File png = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(png.toPath(), SCREENSHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
