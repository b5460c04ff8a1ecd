package io.messagingkit.examples.chat;

import io.messagingkit.push.VapidKeys;
import io.messagingkit.push.WebPushEndpoints;
import io.messagingkit.push.WebPushGateway;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The example's Web Push: the VAPID key pair (from {@code chat.push.vapid.public} / {@code
 * chat.push.vapid.private}, else kept in the data folder as {@code vapid-keys}, else fresh per
 * run), the {@link WebPushGateway} signing with it (contacting only the endpoints {@link
 * #endpoints()} allows), and {@code GET /api/push/vapid-public-key} that hands the page the {@code
 * applicationServerKey} to subscribe with (web/push.js).
 */
final class WebPushConfig {

  private final VapidKeys keys;
  private final WebPushGateway gateway;

  private WebPushConfig(VapidKeys keys, String subject) {
    this.keys = keys;
    this.gateway = WebPushGateway.builder(keys, subject).endpoints(endpoints()).build();
  }

  /**
   * Which subscription endpoints may be contacted: the browsers' push services, or the hosts in
   * {@code chat.push.allowed-hosts} (comma-separated); {@code
   * chat.push.unsafe-allow-loopback-endpoints=true} also accepts a push service on this machine,
   * for tests only.
   */
  static WebPushEndpoints endpoints() {
    String hosts = System.getProperty("chat.push.allowed-hosts", "").trim();
    WebPushEndpoints endpoints =
        hosts.isEmpty()
            ? WebPushEndpoints.defaults()
            : WebPushEndpoints.allowing(List.of(hosts.split("\\s*,\\s*")));
    return Boolean.getBoolean("chat.push.unsafe-allow-loopback-endpoints")
        ? endpoints.unsafeAllowLoopbackForTesting()
        : endpoints;
  }

  /** Loads or creates the VAPID keys; the contact is {@code chat.push.subject}. */
  static WebPushConfig load(@Nullable Path dataDir) {
    String subject = System.getProperty("chat.push.subject", "mailto:admin@localhost");
    String pub = System.getProperty("chat.push.vapid.public");
    String priv =
        System.getProperty("chat.push.vapid.private", System.getenv("CHAT_VAPID_PRIVATE_KEY"));
    if (pub != null && priv != null) {
      return new WebPushConfig(VapidKeys.of(pub, priv), subject);
    }
    if (dataDir == null) {
      return new WebPushConfig(VapidKeys.generate(), subject);
    }
    Path file = dataDir.resolve("vapid-keys");
    try {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        return new WebPushConfig(VapidKeys.of(lines.get(0).trim(), lines.get(1).trim()), subject);
      }
      VapidKeys fresh = VapidKeys.generate();
      PrivateFiles.createDirectories(dataDir);
      PrivateFiles.write( // the private key: owner-only from creation
          file,
          (fresh.publicKey() + "\n" + fresh.privateKey() + "\n")
              .getBytes(StandardCharsets.US_ASCII));
      return new WebPushConfig(fresh, subject);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use " + file, e);
    }
  }

  WebPushGateway gateway() {
    return gateway;
  }

  String publicKey() {
    return keys.publicKey();
  }

  /** Serves {@code {"publicKey": "..."}} at {@code /api/push/vapid-public-key}. */
  HttpServlet servlet() {
    String body = "{\"publicKey\":\"" + keys.publicKey() + "\"}";
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"/vapid-public-key".equals(req.getPathInfo())) {
          resp.sendError(404);
          return;
        }
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.getWriter().write(body);
      }
    };
  }
}
