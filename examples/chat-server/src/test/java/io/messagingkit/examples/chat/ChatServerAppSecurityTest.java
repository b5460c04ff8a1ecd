package io.messagingkit.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example server's HTTP side under attack, from outside with the JDK HttpClient: password
 * guessing, oversized bodies, cross-site requests, reserved device ids, file permissions and the
 * browser security headers.
 */
class ChatServerAppSecurityTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path data;
  ChatServerApp app;

  @BeforeEach
  void start() {
    app = ChatServerApp.start(new ChatServerApp.Config("127.0.0.1", 0, data, List.of()));
  }

  @AfterEach
  void stop() {
    app.close();
  }

  URI login() {
    return app.uri().resolve("api/login");
  }

  String body(String name, String password, String device) throws Exception {
    return JSON.writeValueAsString(Map.of("name", name, "password", password, "device", device));
  }

  HttpResponse<String> post(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> signIn(String name, String password) throws Exception {
    return post(
        HttpRequest.newBuilder(login())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(name, password, "sdk"))));
  }

  @Test
  @DisplayName(
      "password guessing on one account is refused with 429 and Retry-After after 5 failures")
  void guessingThrottled() throws Exception {
    assertThat(signIn("alice", "the right one").statusCode()).isEqualTo(200);
    for (int i = 0; i < 5; i++) {
      assertThat(signIn("alice", "guess-" + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> refused = signIn("alice", "guess-5");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After"))
        .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 900L));
    assertThat(JSON.readTree(refused.body()).path("error").asText()).contains("too many");
    // While locked, even the right password is not checked: a guesser learns nothing.
    assertThat(signIn("alice", "the right one").statusCode()).isEqualTo(429);
    // Other accounts are not affected.
    assertThat(signIn("bob", "bob's own").statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a legitimate user signs in while a guesser hammers another account")
  void legitimateUserDuringGuessing() throws Exception {
    assertThat(signIn("alice", "the right one").statusCode()).isEqualTo(200);
    assertThat(signIn("bob", "bob's own").statusCode()).isEqualTo(200);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger checked = new AtomicInteger();
    AtomicInteger throttled = new AtomicInteger();
    ExecutorService guessers = Executors.newFixedThreadPool(4);
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int t = 0; t < 4; t++) {
        int thread = t;
        running.add(
            guessers.submit(
                () -> {
                  int i = 0;
                  while (!stop.get()) {
                    int status = signIn("alice", "guess-" + thread + "-" + i++).statusCode();
                    (status == 429 ? throttled : checked).incrementAndGet();
                  }
                  return null;
                }));
      }
      // Bob signs in again and again while the guesser runs; each succeeds.
      for (int i = 0; i < 5; i++) {
        assertThat(signIn("bob", "bob's own").statusCode()).isEqualTo(200);
      }
    } finally {
      stop.set(true);
      for (Future<?> f : running) {
        f.get(30, TimeUnit.SECONDS);
      }
      guessers.shutdown();
    }
    assertThat(throttled.get()).isPositive();
    // 5 free failures, then one per backoff step (1 s, 2 s, ...) and the few already in flight.
    assertThat(checked.get()).isLessThan(12);
  }

  @Test
  @DisplayName("a 40 MiB sign-in body is refused with 413 before it is read: no heap growth")
  void hugeBodyRefused() throws Exception {
    byte[] huge = new byte[40 * 1024 * 1024];
    Arrays.fill(huge, (byte) 'a');
    byte[] prefix = "{\"name\":\"alice\",\"password\":\"".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(prefix, 0, huge, 0, prefix.length);
    huge[huge.length - 2] = '"';
    huge[huge.length - 1] = '}';
    long before = serverAllocatedBytes();
    HttpResponse<String> r =
        post(
            HttpRequest.newBuilder(login())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(huge)));
    long allocated = serverAllocatedBytes() - before;
    assertThat(r.statusCode()).isEqualTo(413);
    // Parsing it whole allocated well over 80 MiB (the text and its string); refusing it, little.
    assertThat(allocated).isLessThan(16L * 1024 * 1024);
    // A body without a declared length is refused too (it could be endless).
    HttpResponse<String> chunked =
        post(
            HttpRequest.newBuilder(login())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(huge))));
    assertThat(chunked.statusCode()).isEqualTo(411);
    // The server still serves sign-ins.
    assertThat(signIn("alice", "the right one").statusCode()).isEqualTo(200);
  }

  /**
   * Bytes allocated so far by the server's request threads (Jetty's pool, "messagingkit-jetty");
   * the test's own client threads are left out.
   */
  static long serverAllocatedBytes() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids =
        Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(t -> t != null && t.getThreadName().startsWith("messagingkit-jetty"))
            .mapToLong(java.lang.management.ThreadInfo::getThreadId)
            .toArray();
    return Arrays.stream(threads.getThreadAllocatedBytes(ids)).filter(b -> b > 0).sum();
  }

  @Test
  @DisplayName(
      "sign-in refuses text/plain (415) and a foreign Origin (403): a foreign page creates no account")
  void crossSiteRefused() throws Exception {
    HttpResponse<String> plain =
        post(
            HttpRequest.newBuilder(login())
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body("mallory1", "pw-pw-pw", "web"))));
    assertThat(plain.statusCode()).isEqualTo(415);
    HttpResponse<String> foreign =
        post(
            HttpRequest.newBuilder(login())
                .header("Content-Type", "application/json")
                .header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(body("mallory2", "pw-pw-pw", "web"))));
    assertThat(foreign.statusCode()).isEqualTo(403);
    HttpResponse<String> crossSite =
        post(
            HttpRequest.newBuilder(login())
                .header("Content-Type", "application/json")
                .header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.ofString(body("mallory3", "pw-pw-pw", "web"))));
    assertThat(crossSite.statusCode()).isEqualTo(403);
    // Nothing was registered: each name is still free.
    for (String name : List.of("mallory1", "mallory2", "mallory3")) {
      HttpResponse<String> r = signIn(name, "another password");
      assertThat(JSON.readTree(r.body()).path("registered").asBoolean()).as(name).isTrue();
    }
    // The page's own origins are accepted, under both loopback names.
    for (String origin :
        List.of("http://localhost:" + app.port(), "http://127.0.0.1:" + app.port())) {
      HttpResponse<String> own =
          post(
              HttpRequest.newBuilder(login())
                  .header("Content-Type", "application/json; charset=utf-8")
                  .header("Origin", origin)
                  .POST(HttpRequest.BodyPublishers.ofString(body("carol", "pw-carol", "web"))));
      assertThat(own.statusCode()).as(origin).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("reserved (_pending, _anything) and malformed device ids are refused at sign-in")
  void deviceIds() throws Exception {
    for (String device : List.of("_pending", "_other", "bad device", "x".repeat(65))) {
      HttpResponse<String> r =
          post(
              HttpRequest.newBuilder(login())
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body("alice", "pw-alice", device))));
      assertThat(r.statusCode()).as(device).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).path("error").asText()).as(device).startsWith("device");
    }
    HttpResponse<String> ok =
        post(
            HttpRequest.newBuilder(login())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("alice", "pw-alice", "web-1"))));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ok.body()).path("device").asText()).isEqualTo("web-1");
  }

  @Test
  @DisplayName(
      "the data folder is 0700 and the secret, keys, password hashes and database are 0600")
  void ownerOnlyFiles() throws Exception {
    assertThat(signIn("alice", "pw-alice").statusCode()).isEqualTo(200);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .isEqualTo("rwx------");
    for (String file : List.of("jwt-secret", "vapid-keys", "users.properties", "chat.mv.db")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(file))))
          .as(file)
          .isEqualTo("rw-------");
    }
    try (Stream<Path> all = Files.list(data)) {
      for (Path p : all.toList()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
            .as(p.toString())
            .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
      }
    }
    // A fresh data folder below a new parent: every folder created is owner-only.
    app.close();
    Path nested = data.resolve("a/b");
    app = ChatServerApp.start(new ChatServerApp.Config("127.0.0.1", 0, nested, List.of()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("a"))))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.resolve("media"))))
        .isEqualTo("rwx------");
  }

  @Test
  @DisplayName(
      "every response carries CSP (no inline code, frame-ancestors 'none'), nosniff and Referrer-Policy")
  void securityHeaders() throws Exception {
    for (String path :
        List.of(
            "", "app.js", "app.css", "api/users", "api/push/vapid-public-key", "nope", "media/x")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(app.uri().resolve(path)).build(),
              HttpResponse.BodyHandlers.ofString());
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      assertThat(csp).as(path).contains("frame-ancestors 'none'", "script-src 'self'");
      assertThat(csp).as(path).doesNotContain("unsafe-inline", "unsafe-eval");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
    }
    assertThat(signIn("alice", "pw-alice").headers().firstValue("X-Content-Type-Options"))
        .hasValue("nosniff");
    // The page needs no inline script or style, so the policy holds it to its own files.
    String page =
        http.send(HttpRequest.newBuilder(app.uri()).build(), HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(page).doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>");
    assertThat(page).doesNotContain("<style", " style=", "onclick=", "javascript:");
  }
}
