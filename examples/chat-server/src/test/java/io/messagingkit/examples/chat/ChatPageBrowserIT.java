package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.client.MediaAttachment;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Real browser pages (headless Debian Chromium) chat through the example: sign-in, a 1-1 message
 * whose ticks turn delivered then read, a group message, media with the Java SDK (also at
 * http://localhost), two tabs of one profile as one device, and history marked read. Needs {@code
 * chromium} and {@code chromium-driver} (installed by {@code .ci/run}).
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
    signIn(d, name, app.uri());
  }

  /** Signs in on the page at {@code page} (the server under one of its names). */
  void signIn(WebDriver d, String name, URI page) {
    d.get(page.toString());
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

    // Alice sees Bob in her contacts and writes to him. (Not yet online: Bob has not written to
    // her, and presence is shown only with the watched user's consent.)
    waiting(alice).until(ExpectedConditions.presenceOfElementLocated(contact("bob")));
    assertThat(alice.findElement(contact("bob")).getText()).doesNotContain("online");
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

  @Test
  @DisplayName(
      "media: the page encrypts for the Java SDK, decrypts what the SDK sent, refuses a tampered blob")
  void mediaBetweenPageAndSdk() throws Exception {
    ExampleClients.token(app, "dave");
    WebDriver alice = browser("alice-media");
    signIn(alice, "alice");
    List<ServerFrame.Message> carolGot = new CopyOnWriteArrayList<>();
    try (MessagingClient carol =
        ExampleClients.connected(app, () -> ExampleClients.token(app, "carol"), carolGot)) {
      byte[] picture = png(40, 30);
      byte[] notes = "meeting notes\n".repeat(300).getBytes(StandardCharsets.UTF_8);

      // The SDK sends a picture and a file; the page downloads, verifies and decrypts both.
      carol.sendMedia(Recipient.user(UserId.of("alice")), picture, "image/png", "chart.png").join();
      carol.sendMedia(Recipient.user(UserId.of("alice")), notes, "text/plain", "notes.txt").join();
      waiting(alice).until(ExpectedConditions.presenceOfElementLocated(contact("carol")));
      click(alice, contact("carol"));
      // The page re-renders its message list: elements are looked up afresh every time.
      waiting(alice).until(d -> firstImageWidth(d) > 0);
      assertThat(firstImageWidth(alice)).isEqualTo(40);
      waiting(alice)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.cssSelector("a.media"), "notes.txt"));
      Object text =
          js(alice)
              .executeAsyncScript(
                  "const done = arguments[arguments.length - 1];"
                      + "fetch(document.querySelector('a.media').href)"
                      + ".then(r => r.text()).then(done);");
      assertThat(text).isEqualTo(new String(notes, StandardCharsets.UTF_8));

      // The page encrypts and uploads a file; the SDK downloads, verifies and decrypts it.
      Path upload = Files.write(profiles.resolve("photo.png"), png(64, 48));
      alice.findElement(By.id("attach")).sendKeys(upload.toAbsolutePath().toString());
      await().atMost(Duration.ofSeconds(20)).until(() -> carolGot.size() == 1);
      ServerFrame.Message media = carolGot.get(0);
      assertThat(media.kind()).isEqualTo(MessageType.MEDIA);
      assertThat(MediaAttachment.of(media).fileName()).isEqualTo("photo.png");
      assertThat(carol.download(media).join()).isEqualTo(Files.readAllBytes(upload));
      assertThat(media.body()).asString(StandardCharsets.UTF_8).doesNotContain("PNG");
      By sentPhoto = By.xpath("//li[contains(@class,'mine')][.//img[@alt='photo.png']]");
      waiting(alice).until(ExpectedConditions.attributeToBe(sentPhoto, "data-status", "delivered"));

      // A blob altered in storage is refused by the page: nothing is shown but a warning.
      // Alice looks at another conversation meanwhile, so her page fetches only after the change.
      waiting(alice).until(ExpectedConditions.presenceOfElementLocated(contact("dave")));
      click(alice, contact("dave"));
      carol
          .sendMedia(Recipient.user(UserId.of("alice")), picture, "image/png", "tampered.png")
          .join();
      await().atMost(Duration.ofSeconds(10)).until(() -> objectCount() == 4);
      Path stored = newestObject();
      byte[] bytes = Files.readAllBytes(stored);
      bytes[10] ^= 1;
      Files.write(stored, bytes);
      click(alice, contact("carol"));
      waiting(alice)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.id("messages"), "media could not be verified"));
      assertThat(alice.findElements(By.cssSelector("img.media"))).hasSize(2);
      screenshot(alice, "alice-media");
    }
  }

  @Test
  @DisplayName(
      "two tabs of one browser profile are one device: the newer tab holds the connection, the"
          + " older offers 'Use here', and messages to it are delivered")
  void tabsShareTheDevice() throws Exception {
    List<ServerFrame.Receipt> delivered = new CopyOnWriteArrayList<>();
    try (MessagingClient alice =
        ExampleClients.connected(
            app,
            () -> ExampleClients.token(app, "alice"),
            new CopyOnWriteArrayList<>(),
            new MessagingClient.Listener() {
              @Override
              public void onDelivered(ServerFrame.Receipt receipt) {
                delivered.add(receipt);
              }
            })) {
      WebDriver bob = browser("bob-tabs");
      signIn(bob, "bob");
      String firstTab = bob.getWindowHandle();
      String firstDevice = deviceOf(bob);
      bob.switchTo().newWindow(WindowType.TAB);
      signIn(bob, "bob");
      String secondTab = bob.getWindowHandle();
      assertThat(deviceOf(bob)).isEqualTo(firstDevice).startsWith("web-");

      // The older tab gave the connection up and does not fight for it.
      bob.switchTo().window(firstTab);
      waiting(bob).until(ExpectedConditions.textToBe(By.id("connection"), "open in another tab"));
      assertThat(bob.findElements(By.id("use-here"))).hasSize(1);

      // A message to Bob reaches the tab that holds the device; Alice sees it delivered.
      alice.send(UserId.of("bob"), "to both tabs").join();
      await().atMost(Duration.ofSeconds(20)).until(() -> delivered.size() == 1);
      assertThat(delivered.get(0).by().user()).isEqualTo(UserId.of("bob"));
      assertThat(delivered.get(0).by().device().value()).isEqualTo(firstDevice);
      bob.switchTo().window(secondTab);
      waiting(bob).until(ExpectedConditions.presenceOfElementLocated(contact("alice")));
      waiting(bob)
          .until(
              ExpectedConditions.textToBePresentInElementLocated(
                  By.cssSelector("li.contact[data-user='alice'] .unread"), "1"));

      // "Use here" in the first tab takes the device back; the second tab now gives way.
      bob.switchTo().window(firstTab);
      click(bob, By.id("use-here"));
      waiting(bob).until(ExpectedConditions.textToBe(By.id("connection"), "online"));
      bob.switchTo().window(secondTab);
      waiting(bob).until(ExpectedConditions.textToBe(By.id("connection"), "open in another tab"));
      alice.send(UserId.of("bob"), "to the first tab").join();
      await().atMost(Duration.ofSeconds(20)).until(() -> delivered.size() == 2);
      screenshot(bob, "bob-second-tab");
    }
  }

  @Test
  @DisplayName(
      "pictures go both ways on a page opened at http://localhost:<port>, the README's address")
  void mediaAtLocalhost() throws Exception {
    WebDriver alice = browser("alice-localhost");
    signIn(alice, "alice", URI.create("http://localhost:" + app.port() + "/"));
    List<ServerFrame.Message> carolGot = new CopyOnWriteArrayList<>();
    try (MessagingClient carol =
        ExampleClients.connected(app, () -> ExampleClients.token(app, "carol"), carolGot)) {
      carol
          .sendMedia(Recipient.user(UserId.of("alice")), png(40, 30), "image/png", "in.png")
          .join();
      waiting(alice).until(ExpectedConditions.presenceOfElementLocated(contact("carol")));
      click(alice, contact("carol"));
      waiting(alice).until(d -> firstImageWidth(d) > 0);
      assertThat(firstImageWidth(alice)).isEqualTo(40);

      Path upload = Files.write(profiles.resolve("out.png"), png(64, 48));
      alice.findElement(By.id("attach")).sendKeys(upload.toAbsolutePath().toString());
      await().atMost(Duration.ofSeconds(20)).until(() -> carolGot.size() == 1);
      assertThat(carol.download(carolGot.get(0)).join()).isEqualTo(Files.readAllBytes(upload));
      By sent = By.xpath("//li[contains(@class,'mine')][.//img[@alt='out.png']]");
      waiting(alice).until(ExpectedConditions.attributeToBe(sent, "data-status", "delivered"));
      screenshot(alice, "alice-localhost");
    }
  }

  @Test
  @DisplayName("messages shown from history are marked read: the sender's ticks turn read")
  void historyMarkedRead() throws Exception {
    WebDriver bob = browser("bob-history");
    signIn(bob, "bob");
    WebDriver alice = browser("alice-history");
    signIn(alice, "alice");
    waiting(alice).until(ExpectedConditions.presenceOfElementLocated(contact("bob")));
    click(alice, contact("bob"));
    sendText(alice, "read me later");
    // Bob's page receives it while looking elsewhere: delivered, unread.
    waiting(alice)
        .until(
            ExpectedConditions.attributeToBe(
                myMessage("read me later"), "data-status", "delivered"));
    waiting(bob)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("li.contact[data-user='alice'] .unread"), "1"));
    // Bob reloads before reading: the message was acknowledged, so it now comes from history.
    bob.navigate().refresh();
    signIn(bob, "bob");
    click(bob, contact("alice"));
    waiting(bob)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "read me later"));
    waiting(alice)
        .until(ExpectedConditions.attributeToBe(myMessage("read me later"), "data-status", "read"));
  }

  static String deviceOf(WebDriver d) {
    return (String) js(d).executeScript("return localStorage.getItem('mk-device');");
  }

  long objectCount() throws Exception {
    try (var files = Files.list(data.resolve("media/objects"))) {
      return files.filter(p -> !p.toString().endsWith(".meta")).count();
    }
  }

  Path newestObject() throws Exception {
    try (var files = Files.list(data.resolve("media/objects"))) {
      return files
          .filter(p -> !p.toString().endsWith(".meta"))
          .max(
              java.util.Comparator.comparing(
                  (Path p) -> {
                    try {
                      return Files.getLastModifiedTime(p);
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }))
          .orElseThrow();
    }
  }

  /** The natural width of the first picture in the conversation, 0 while none has loaded. */
  static int firstImageWidth(WebDriver d) {
    Object width =
        js(d)
            .executeScript(
                "const i = document.querySelector('img.media'); return i ? i.naturalWidth : 0;");
    return ((Number) width).intValue();
  }

  static JavascriptExecutor js(WebDriver d) {
    return (JavascriptExecutor) d;
  }

  static byte[] png(int width, int height) throws Exception {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.ORANGE);
    g.fillRect(0, 0, width, height);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
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
