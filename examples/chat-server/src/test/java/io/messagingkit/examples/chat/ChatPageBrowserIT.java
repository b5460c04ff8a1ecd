package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Two real browser pages (headless Debian Chromium) chat through the example: sign-in, a 1-1
 * message whose ticks turn delivered then read, and a group message. Needs {@code chromium} and
 * {@code chromium-driver} (installed by {@code .ci/run}).
 */
class ChatPageBrowserIT {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  @TempDir Path data;
  @TempDir Path profiles;
  ChatServerApp app;
  final List<WebDriver> drivers = new ArrayList<>();

  @BeforeEach
  void start() {
    assertThat(new File(CHROMEDRIVER))
        .as("chromium-driver must be installed (apt-get install chromium chromium-driver)")
        .canRead();
    app = ChatServerApp.start(new ChatServerApp.Config("127.0.0.1", 0, data, List.of()));
  }

  @AfterEach
  void stop() {
    drivers.forEach(WebDriver::quit);
    if (app != null) {
      app.close();
    }
  }

  WebDriver browser(String name) throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--user-data-dir=" + Files.createDirectories(profiles.resolve(name)));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    options.addArguments("--window-size=1100,700");
    WebDriver driver = new ChromeDriver(service, options);
    drivers.add(driver);
    return driver;
  }

  /**
   * Waits up to 20 s; the page re-renders its lists, so a stale element just means "look again".
   */
  static WebDriverWait waiting(WebDriver d) {
    WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(20));
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return wait;
  }

  void signIn(WebDriver d, String name) {
    d.get(app.uri().toString());
    d.findElement(By.id("name")).sendKeys(name);
    d.findElement(By.id("password")).sendKeys("pw-" + name);
    d.findElement(By.id("signin")).click();
    waiting(d).until(ExpectedConditions.textToBe(By.id("connection"), "online"));
  }

  void sendText(WebDriver d, String text) {
    WebElement input = d.findElement(By.id("message-input"));
    input.sendKeys(text);
    d.findElement(By.id("send")).click();
  }

  /** Clicks {@code by}, finding it again if the page re-rendered it meanwhile (lists do). */
  static void click(WebDriver d, By by) {
    waiting(d)
        .until(
            drv -> {
              drv.findElement(by).click();
              return true;
            });
  }

  static By contact(String user) {
    return By.cssSelector("li.contact[data-user='" + user + "']");
  }

  static By myMessage(String text) {
    return By.xpath("//li[contains(@class,'mine')][div[@class='body' and text()='" + text + "']]");
  }

  @Test
  @DisplayName(
      "sign-in, 1-1 ticks sent -> delivered -> read, and a group message between two pages")
  void chatInTwoBrowsers() throws Exception {
    WebDriver bob = browser("bob");
    signIn(bob, "bob");
    WebDriver alice = browser("alice");
    signIn(alice, "alice");

    // Alice sees Bob online in her contacts and writes to him.
    waiting(alice)
        .until(ExpectedConditions.textToBePresentInElementLocated(contact("bob"), "online"));
    click(alice, contact("bob"));
    sendText(alice, "hello bob");

    // Bob's page is open but not on this conversation: the message is delivered, not read.
    waiting(alice)
        .until(
            ExpectedConditions.attributeToBe(myMessage("hello bob"), "data-status", "delivered"));
    waiting(bob).until(ExpectedConditions.presenceOfElementLocated(contact("alice")));
    waiting(bob)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("li.contact[data-user='alice'] .unread"), "1"));

    // Bob opens the conversation: he reads it, Alice's ticks turn read.
    click(bob, contact("alice"));
    waiting(bob)
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "hello bob"));
    waiting(alice)
        .until(ExpectedConditions.attributeToBe(myMessage("hello bob"), "data-status", "read"));

    // Alice creates a group with Bob and writes to it; Bob sees the group and the message.
    alice.findElement(By.id("new-group-name")).sendKeys("Weekend");
    alice.findElement(By.id("new-group-members")).sendKeys("bob");
    alice.findElement(By.id("create-group")).click();
    waiting(alice)
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("group-members"), "bob"));
    sendText(alice, "hi group");
    By bobsGroup = By.xpath("//li[contains(@class,'group')][span[text()='Weekend']]");
    waiting(bob).until(ExpectedConditions.presenceOfElementLocated(bobsGroup));
    click(bob, bobsGroup);
    waiting(bob)
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "hi group"));
    assertThat(bob.findElement(By.id("messages")).getText()).contains("alice");
    waiting(alice)
        .until(ExpectedConditions.attributeToBe(myMessage("hi group"), "data-status", "read"));
    screenshot(alice, "alice");
    screenshot(bob, "bob");
  }

  /** Keeps what each page showed, for people: target/screenshots/*.png. */
  static void screenshot(WebDriver d, String name) throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "screenshots"));
    byte[] png =
        ((org.openqa.selenium.TakesScreenshot) d)
            .getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
    Files.write(dir.resolve(name + ".png"), png);
  }
}
