package batcycle.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import batcycle.config.BuildInfo;
import batcycle.testing.ProxyHarness;
import batcycle.testing.RawHttp;
import batcycle.testing.RecordingOrigin;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.service.DriverFinder;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page as a person sees it: traffic goes through a real batcycle, Debian's Chromium (driven through
 * Debian's chromedriver, so Selenium Manager never downloads a browser or driver) opens the admin port's
 * {@code /}, and the test waits until the numbers reflect the traffic. Saves {@code target/status-page.png} (and a
 * phone-sized one); with {@code -Dbatcycle.docsScreenshot=true} it runs the traffic longer, so the sparklines have
 * a shape, and copies the picture to {@code docs/status-page.png} for the README.
 * <p>
 * In CI the browser must be installed ({@code .ci/run}); elsewhere the test is skipped with a reason if it is not.
 */
class StatusPageIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration BOUND = Duration.ofSeconds(45);
  private static final boolean DOCS = Boolean.getBoolean("batcycle.docsScreenshot");
  /** One request in four fails: the error ratio the page must show. */
  private static final int FAIL_EVERY = 4;
  private static final String SCRIPT_PATH = "/fail/<script>window.__pwned=1</script>";
  private static final String IMG_PATH = "/fail/<img/src=x/onerror=window.__pwned=2>";

  @TempDir
  Path profile;
  private RecordingOrigin origin;
  @RegisterExtension
  final ProxyHarness proxy = ProxyHarness.startedByEachTest();
  private ScheduledExecutorService load;
  private WebDriver browser;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicLong loadErrors = new AtomicLong();

  @BeforeAll
  static void browserInstalled() {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI must install Debian's chromium and chromium-driver packages (see .ci/run)");
    }
    Assumptions.assumeTrue(installed,
        "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)");
  }

  @AfterEach
  void close() {
    if (load != null) {
      load.shutdownNow();
    }
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void showsLiveTrafficTheErrorRatioAndTheFailedRequestsEscaped() throws Exception {
    RecordingOrigin[] self = new RecordingOrigin[1];
    origin = proxy.closesAfter(RecordingOrigin.start((request, body) -> {
      // A few milliseconds of latency that drifts over time, so percentiles and sparklines have some shape.
      int n = self[0].received().size();
      long delay = 1 + (n % 5) + (n / 150 % 4) * 4L;
      self[0].vertx().setTimer(delay, t ->
          request.response().setStatusCode(request.path().startsWith("/fail") ? 500 : 200).end("ok"));
    }));
    self[0] = origin;
    // One outbound entry, whose remote is the same origin: the app's calls get their row in the outbound table.
    proxy.start(ProxyHarness.forUpstream(origin.port())
        .with(batcycle.config.Key.OUTBOUND, "payments=127.0.0.1:0=http://127.0.0.1:" + origin.port()));
    startLoad();
    if (DOCS) {
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5))
          .until(() -> stats().getJsonObject("series").getJsonArray("points").size() >= 24);
    }
    await().atMost(BOUND).until(() -> stats().getJsonObject("totals").getLong("requests") >= 40);

    browser = chromium(1280, 1000);
    browser.get("http://127.0.0.1:" + proxy.adminPort() + "/");
    int sentWhenOpened = sent.get();
    for (String path : List.of(SCRIPT_PATH, IMG_PATH)) { // raw: no HTTP client sends '<' in a request target
      try (RawHttp raw = RawHttp.connect(proxy.port())) {
        assertThat(raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse().status()).isEqualTo(500);
      }
    }

    // Bounded wait until the page shows what was sent (it polls /stats.json every second). The failure table is
    // redrawn as failures keep coming, so it is read in one go, as the browser had it at that moment.
    List<Map<String, String>> failures = new WebDriverWait(browser, BOUND).until(page -> {
      List<Map<String, String>> rows = failureRows();
      List<String> paths = rows.stream().map(row -> row.get("path")).toList();
      boolean shown = number("total-requests") >= sentWhenOpened && number("rate") > 0
          && paths.contains(SCRIPT_PATH) && paths.contains(IMG_PATH)
          && paths.stream().anyMatch(p -> p.matches("/fail/\\d+"))
          && !outboundRow().isEmpty() && outboundRow().get(2).matches("[0-9.]*[1-9][0-9.]*");
      return shown ? rows : null;
    });

    assertThat(text("version")).isEqualTo(BuildInfo.version());
    assertThat(text("footer-version")).isEqualTo(BuildInfo.version());
    assertThat(text("java")).isEqualTo(Runtime.version().toString());
    assertThat(text("health")).isEqualTo("ready");
    assertThat(text("updated")).isEqualTo("live");
    assertThat(number("rate")).as("requests per second").isPositive();
    assertThat(number("total-requests")).isGreaterThanOrEqualTo(sentWhenOpened);
    assertThat(number("error-ratio")).as("error ratio in %, one request in %d fails", FAIL_EVERY)
        .isBetween(100.0 / FAIL_EVERY - 10, 100.0 / FAIL_EVERY + 10);
    assertThat(text("p50")).matches("[0-9.]+ (ms|s)");
    assertThat(text("p99")).matches("[0-9.]+ (ms|s)");
    assertThat(text("uptime")).matches("\\d+[smhd].*");
    assertThat(text("in-flight")).matches("\\d+");
    assertThat(text("upstream-state")).isEqualTo("ready");
    assertThat(text("health-detail")).startsWith("app reachable at 127.0.0.1:" + origin.port() + " (tcp); circuit ");
    assertThat(text("circuit")).isNotBlank();
    assertThat(text("retry-ratio")).isNotBlank();
    assertThat(browser.findElement(By.id("no-traffic")).isDisplayed()).isFalse();
    assertThat(browser.findElements(By.cssSelector("#spark-rate path.line"))).as("a sparkline is drawn").hasSize(1);
    assertThat(browser.findElement(By.id("config")).getText())
        .contains("listen", "127.0.0.1:0", "upstream", "http://127.0.0.1:" + origin.port(), "connect 2s");

    List<String> outbound = outboundRow();
    assertThat(outbound.get(0)).isEqualTo("payments");
    assertThat(outbound.get(1)).isEqualTo("127.0.0.1:0 → http://127.0.0.1:" + origin.port());
    assertThat(outbound.get(3)).as("error ratio of the outbound calls").matches("[0-9.]+ %");
    assertThat(outbound.get(5)).isEqualTo("closed");
    assertThat(outbound.get(6)).isEqualTo("1");

    Map<String, String> failed = failures.stream().filter(row -> row.get("path").matches("/fail/\\d+"))
        .findFirst().orElseThrow();
    assertThat(failed.get("status")).isEqualTo("500");
    assertThat(failed.get("method")).isEqualTo("GET");
    assertThat(failed.get("id")).matches("[0-9a-f]{32}");
    assertThat(failed.get("time")).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");

    // Paths full of markup were shown as text (above): nothing was parsed into elements, nothing ran.
    assertThat(browser.findElements(By.tagName("script"))).as("only status.js").hasSize(1);
    assertThat(browser.findElements(By.cssSelector("#failures img, #failures script"))).isEmpty();
    assertThat(js("return typeof window.__pwned")).isEqualTo("undefined");

    Path target = Path.of("target");
    screenshot(target.resolve("status-page.png"), 1280);
    if (DOCS) {
      Files.createDirectories(Path.of("docs"));
      Files.copy(target.resolve("status-page.png"), Path.of("docs/status-page.png"),
          StandardCopyOption.REPLACE_EXISTING);
    }

    // On a phone: nothing wider than the screen, the numbers still there.
    browser.manage().window().setSize(new Dimension(390, 844));
    new WebDriverWait(browser, BOUND).until(page ->
        (Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth"));
    assertThat(browser.findElement(By.id("rate")).isDisplayed()).isTrue();
    screenshot(target.resolve("status-page-phone.png"), 390);
    assertThat(loadErrors.get()).as("the load itself ran cleanly").isZero();
  }

  @Test
  void withoutTrafficThePageSaysSoAndShowsNoFailures() {
    origin = proxy.closesAfter(RecordingOrigin.start());
    proxy.start(ProxyHarness.forUpstream(origin.port()));

    browser = chromium(1024, 800);
    browser.get("http://127.0.0.1:" + proxy.adminPort() + "/");
    new WebDriverWait(browser, BOUND).until(page -> text("updated").equals("live"));

    assertThat(browser.findElement(By.id("no-traffic")).isDisplayed()).isTrue();
    assertThat(text("total-requests")).isEqualTo("0");
    assertThat(text("rate")).isEqualTo("0");
    assertThat(text("error-ratio")).isEqualTo("–");
    assertThat(text("p50")).isEqualTo("–");
    assertThat(browser.findElement(By.id("no-failures")).isDisplayed()).isTrue();
    assertThat(text("no-failures")).isEqualTo("No failed requests since start.");
    assertThat(browser.findElement(By.id("failures-wrap")).isDisplayed()).isFalse();
    assertThat(text("version")).isEqualTo(BuildInfo.version());
  }

  /** Requests at a steady pace, one in {@link #FAIL_EVERY} to a failing path, until the test ends. */
  private void startLoad() {
    load = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "status-page-load"));
    load.scheduleAtFixedRate(() -> {
      int n = sent.get();
      try {
        proxy.get(n % FAIL_EVERY == FAIL_EVERY - 1 ? "/fail/" + n : "/ok/" + n);
        if (n % 2 == 0 && proxy.batcycle().paths().size() > 1) {
          proxy.outbound("payments", "/out/" + n);
        }
        sent.incrementAndGet();
      } catch (RuntimeException e) {
        if (!load.isShutdown()) {
          loadErrors.incrementAndGet();
        }
      }
    }, 0, 50, TimeUnit.MILLISECONDS);
  }

  /** The cells of the outbound table's first row, read in one go (it is redrawn every second); empty until shown. */
  @SuppressWarnings("unchecked")
  private List<String> outboundRow() {
    return (List<String>) js("return Array.from(document.querySelectorAll('#outbound tbody tr:first-child td'))"
        + ".map(td => td.textContent)");
  }

  private JsonObject stats() {
    return new JsonObject(proxy.admin("/stats.json").body());
  }

  /**
   * Debian's Chromium through Debian's chromedriver. Both paths are given, so Selenium Manager has nothing to look
   * up or download; the flags keep Chromium off the network (this machine's is closed) and out of any profile.
   */
  private WebDriver chromium(int width, int height) {
    // Proof that Selenium Manager (which would download a driver or browser) is skipped, not merely unneeded.
    List<String> finderLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    Logger finder = Logger.getLogger(DriverFinder.class.getName());
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        finderLog.add(record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    capture.setLevel(Level.ALL);
    finder.setLevel(Level.FINE);
    finder.addHandler(capture);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .withLogFile(new File("target/chromedriver.log"))
        .build();
    ChromeOptions options = new ChromeOptions()
        .setBinary(CHROMIUM.toFile())
        .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=" + width + "," + height,
            "--user-data-dir=" + profile.resolve("chromium-" + width));
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      assertThat(finderLog).as("Selenium Manager skipped")
          .anySatisfy(message -> assertThat(message).startsWith("Skipping Selenium Manager"));
      return driver;
    } finally {
      finder.removeHandler(capture);
    }
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText().trim();
  }

  /** A number as the page prints it: "1,234", "12.5", "25 %". */
  private double number(String id) {
    String digits = text(id).replace(",", "").replace("%", "").trim();
    try {
      return Double.parseDouble(digits);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** The failed-requests table as the page shows it: one map per row, cell class to text. */
  @SuppressWarnings("unchecked")
  private List<Map<String, String>> failureRows() {
    return (List<Map<String, String>>) js("return Array.from(document.querySelectorAll('#failures tbody tr'))"
        + ".map(tr => Object.fromEntries(Array.from(tr.cells).map(td => [td.className.split(' ').pop(),"
        + " td.textContent])))");
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  /** The whole page at this width, grown to its full height so the screenshot is not cut. */
  private void screenshot(Path file, int width) throws IOException {
    for (int i = 0; i < 3; i++) { // the window's size is not quite the viewport's: adjust until all fits
      long height = (Long) js("return document.documentElement.scrollHeight");
      long viewport = (Long) js("return window.innerHeight");
      if (viewport >= height) {
        break;
      }
      Dimension size = browser.manage().window().getSize();
      browser.manage().window().setSize(new Dimension(width, (int) Math.min(size.height + height - viewport, 4000)));
    }
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.createDirectories(file.getParent());
    Files.write(file, png);
    assertThat(png.length).as("a real picture").isGreaterThan(10_000);
  }

}
