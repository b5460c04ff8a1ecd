package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.port.PushGateway.Outcome;
import io.messagingkit.core.port.PushGateway.PushResult;
import io.messagingkit.tck.RecordingConnection;
import io.messagingkit.tck.push.FakeHttpProvider;
import io.messagingkit.tck.push.FakeHttpProvider.Response;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Server-side request forgery through a Web Push subscription: an endpoint on this machine's
 * network is refused when a device registers it (with the rule named) and again when a push is
 * sent, and a listener on the loopback interface sees no connection at all.
 */
class WebPushSsrfTest {

  private static final DeviceAddress BOB = DeviceAddress.of("bob", "laptop");
  private static final PushNotification WAKE_UP =
      new PushNotification(BOB, "messages-laptop", 1, null, Duration.ofMinutes(5));

  /** A local service an attacker would like the server to reach: counts every connection. */
  private ServerSocket internal;

  private final AtomicInteger connections = new AtomicInteger();
  private Thread acceptor;
  private Map<String, String> keys;

  @BeforeEach
  void openInternalService() throws Exception {
    internal = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (!internal.isClosed()) {
                try (Socket s = internal.accept()) {
                  connections.incrementAndGet();
                  readRequest(s.getInputStream());
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                              .getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                } catch (SocketException closed) {
                  return;
                } catch (IOException e) {
                  // the next connection
                }
              }
            },
            "internal-service");
    acceptor.setDaemon(true);
    acceptor.start();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(EcKeys.P256);
    byte[] auth = new byte[16];
    new SecureRandom().nextBytes(auth);
    keys =
        Map.of(
            "p256dh",
            VapidKeys.Base64Url.encode(
                EcKeys.uncompressed((ECPublicKey) g.generateKeyPair().getPublic())),
            "auth",
            VapidKeys.Base64Url.encode(auth));
  }

  /** Reads one HTTP/1.1 request: the head, then as many body bytes as Content-Length says. */
  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return;
      }
      head.append((char) b);
    }
    Matcher m = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head.toString());
    if (m.find()) {
      in.readNBytes(Integer.parseInt(m.group(1)));
    }
  }

  @AfterEach
  void closeInternalService() throws Exception {
    internal.close();
    acceptor.join(TimeUnit.SECONDS.toMillis(10));
  }

  private int port() {
    return internal.getLocalPort();
  }

  private PushTarget subscription(String endpoint) {
    return new PushTarget(PushTarget.Platform.WEB_PUSH, endpoint, keys);
  }

  private static WebPushGateway.Builder gateway() {
    return WebPushGateway.builder(VapidKeys.generate(), "mailto:ops@messagingkit.test");
  }

  @Test
  @DisplayName("control: with the test opt-in, the same listener is reached (so zero means zero)")
  void controlReachesListener() throws Exception {
    WebPushGateway testing =
        gateway().endpoints(WebPushEndpoints.defaults().unsafeAllowLoopbackForTesting()).build();
    PushTarget local = subscription("http://127.0.0.1:" + port() + "/push/1");
    testing.checkTarget(local);
    PushResult result = testing.send(local, WAKE_UP).get(20, TimeUnit.SECONDS);
    assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.ACCEPTED);
    assertThat(connections).hasValue(1);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1:{port}/push | must be an https URL",
        "http://localhost:{port}/push | must be an https URL",
        "https://127.0.0.1:{port}/push | must name its host, not an IP address",
        "https://2130706433:{port}/push | must name its host, not an IP address",
        "https://0x7f000001:{port}/push | must name its host, not an IP address",
        "https://[::ffff:127.0.0.1]:{port}/push | must name its host, not an IP address",
        "https://[::1]:{port}/push | must name its host, not an IP address",
        "https://fcm.googleapis.com@127.0.0.1:{port}/push | must not carry user information",
        "https://localhost.:{port}/push | must not end its host name with a dot",
        "https://localhost:{port}/push | must be on an allowed push service",
        "https://fcm.googleapis.com:{port}/push | must be on an allowed push service"
      })
  @DisplayName(
      "an endpoint on this machine is refused at registration and at send; nothing connects")
  void refusedEverywhere(String template, String rule) throws Exception {
    PushTarget target = subscription(template.replace("{port}", Integer.toString(port())));
    WebPushGateway web = gateway().build();
    assertThatThrownBy(() -> web.checkTarget(target))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessageContaining(rule);
    PushResult result = web.send(target, WAKE_UP).get(20, TimeUnit.SECONDS);
    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.detail()).contains(rule);
    assertThat(connections).as("connections to the local service").hasValue(0);
  }

  @Test
  @DisplayName(
      "an allow-listed name that resolves to 127.0.0.1 is refused at send: nothing connects")
  void allowListedNameResolvingToLoopback() throws Exception {
    WebPushGateway web =
        gateway().endpoints(WebPushEndpoints.allowing(List.of("localhost:" + port()))).build();
    PushTarget target = subscription("https://localhost:" + port() + "/push");
    web.checkTarget(target); // the name is allowed; its address is checked when sending
    PushResult result = web.send(target, WAKE_UP).get(20, TimeUnit.SECONDS);
    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.detail())
        .contains("must resolve to public addresses only")
        .contains("loopback");
    assertThat(connections).hasValue(0);
  }

  @Test
  @DisplayName("a redirect from the push service is not followed")
  void noRedirects() throws Exception {
    try (FakeHttpProvider redirecting =
        new FakeHttpProvider(
                r ->
                    new Response(
                        307,
                        Map.of("Location", "http://127.0.0.1:" + port() + "/latest/meta-data/"),
                        ""))
            .start()) {
      WebPushGateway web =
          gateway().endpoints(WebPushEndpoints.defaults().unsafeAllowLoopbackForTesting()).build();
      PushResult result =
          web.send(subscription(redirecting.baseUri() + "/push/1"), WAKE_UP)
              .get(20, TimeUnit.SECONDS);
      assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(redirecting.received()).hasSize(1);
      assertThat(connections).hasValue(0);
    }
  }

  @Test
  @DisplayName("an HTTP client that follows redirects is refused when the gateway is built")
  void redirectFollowingClientRefused() {
    HttpClient following =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    assertThatThrownBy(() -> gateway().httpClient(following).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not follow redirects");
  }

  @Test
  @DisplayName("through a chat server: the device gets invalid_request and nothing is stored")
  void registrationThroughChatServer() {
    InMemoryDeviceDirectory devices = new InMemoryDeviceDirectory();
    try (ChatServer server =
        ChatServer.builder()
            .pushGateway(RoutingPushGateway.of(gateway().build()))
            .deviceDirectory(devices)
            .build()
            .start()) {
      DeviceSession bob = server.connect(BOB, new RecordingConnection());
      PushTarget metadata = subscription("http://169.254.169.254/latest/meta-data/");
      assertThatThrownBy(() -> bob.registerPushTarget(metadata))
          .isInstanceOfSatisfying(
              InvalidRequestException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
          .hasMessageContaining("must be an https URL");
      assertThat(devices.pushTarget(BOB)).isEmpty();
      PushTarget good = subscription("https://fcm.googleapis.com/fcm/send/abc");
      bob.registerPushTarget(good);
      assertThat(devices.pushTarget(BOB)).contains(good);
    }
  }

  @Test
  @DisplayName("a stored subscription that predates the rule is never contacted")
  void storedBeforeTheRule() {
    InMemoryDeviceDirectory devices = new InMemoryDeviceDirectory();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ChatServer server =
        ChatServer.builder()
            .pushGateway(gateway().build())
            .deviceDirectory(devices)
            .meterRegistry(meters)
            .build()
            .start()) {
      DeviceSession bob = server.connect(BOB, new RecordingConnection());
      bob.close();
      devices.setPushTarget(BOB, subscription("http://127.0.0.1:" + port() + "/push"));
      DeviceSession alice =
          server.connect(DeviceAddress.of("alice", "phone"), new RecordingConnection());
      alice.send(SendRequest.text("m1", Recipient.user(BOB.user()), "hi")).join();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                Counter c = meters.find("messagingkit.push").tag("outcome", "failed").counter();
                return c != null && c.count() == 1;
              });
      assertThat(connections).hasValue(0);
    }
  }
}
