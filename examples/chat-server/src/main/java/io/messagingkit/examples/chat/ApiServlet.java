package io.messagingkit.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.messagingkit.core.AuthenticationException;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.LimitExceededException;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The page's HTTP API: {@code POST /api/login {name, password, device}} registers or signs in and
 * returns a token for the WebSocket; {@code GET /api/users} lists the other users (the contacts).
 *
 * <p>Sign-in answers 400 for a malformed name, device id (or one starting with {@code _}, reserved
 * by the library) or password, 401 for a wrong password, 429 with {@code Retry-After} while the
 * account or the client's address is throttled ({@link SignInThrottle}), 503 with {@code
 * Retry-After} when too many passwords are being checked at once. Body size, content type and
 * origin are checked before, by {@link ApiRequestFilter}.
 */
final class ApiServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final transient UserAccounts accounts;
  private final transient JwtIssuer issuer;
  private final transient JwtAuthenticator authenticator;
  private final transient SignInThrottle throttle;
  private final transient Consumer<DeviceAddress> registerDevice;

  ApiServlet(
      UserAccounts accounts,
      Consumer<DeviceAddress> registerDevice,
      JwtIssuer issuer,
      JwtAuthenticator authenticator,
      SignInThrottle throttle) {
    this.accounts = accounts;
    this.registerDevice = registerDevice;
    this.throttle = throttle;
    this.issuer = issuer;
    this.authenticator = authenticator;
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!"/login".equals(req.getPathInfo())) {
      error(resp, 404, "not found");
      return;
    }
    JsonNode body;
    try {
      body = JSON.readTree(req.getInputStream()); // at most ApiRequestFilter's maxBodyBytes
    } catch (IOException e) {
      error(resp, 400, "the body must be JSON");
      return;
    }
    String name = body == null ? "" : body.path("name").asText("").trim();
    String password = body == null ? "" : body.path("password").asText("");
    String device = body == null ? "" : body.path("device").asText("web");
    UserId user;
    try {
      user = UserId.of(name);
    } catch (IllegalArgumentException e) {
      error(resp, 400, "name: 1-64 letters, digits or . _ @ + -");
      return;
    }
    DeviceId deviceId;
    try {
      deviceId = DeviceId.of(device.isEmpty() ? "web" : device);
    } catch (IllegalArgumentException e) {
      error(resp, 400, "device: 1-64 letters, digits or . _ @ + -");
      return;
    }
    if (deviceId.value().startsWith("_")) {
      error(resp, 400, "device: ids starting with _ are reserved");
      return;
    }
    if (password.length() < 4 || password.length() > 200) {
      error(resp, 400, "password: 4-200 characters");
      return;
    }
    String client = req.getRemoteAddr();
    Optional<Duration> wait = throttle.begin(user.value(), client);
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      resp.setHeader("Retry-After", Long.toString(seconds));
      error(resp, 429, "too many failed sign-ins: try again in " + seconds + " s");
      return;
    }
    UserAccounts.SignIn outcome;
    try {
      outcome = accounts.signIn(user, password);
    } catch (UserAccounts.BusyException e) {
      resp.setHeader("Retry-After", "1");
      error(resp, 503, "too many sign-ins at once: try again");
      return;
    }
    if (outcome == UserAccounts.SignIn.WRONG_PASSWORD) {
      error(resp, 401, "wrong password");
      return;
    }
    throttle.succeeded(user.value(), client);
    DeviceAddress address = new DeviceAddress(user, deviceId);
    try {
      registerDevice.accept(address); // the user exists for senders from sign-in on
    } catch (LimitExceededException e) {
      error(resp, 409, "too many devices, all connected: sign out on one of them first");
      return;
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("token", issuer.issue(address));
    out.put("user", address.user().value());
    out.put("device", address.device().value());
    out.put("registered", outcome == UserAccounts.SignIn.REGISTERED);
    write(resp, 200, out);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!"/users".equals(req.getPathInfo())) {
      error(resp, 404, "not found");
      return;
    }
    String auth = req.getHeader("Authorization");
    DeviceAddress me;
    try {
      if (auth == null || !auth.startsWith("Bearer ")) {
        throw new AuthenticationException("no token");
      }
      me = authenticator.verify(auth.substring(7));
    } catch (AuthenticationException e) {
      error(resp, 401, "sign in first");
      return;
    }
    ObjectNode out = JSON.createObjectNode();
    var users = out.putArray("users");
    accounts.users().stream().filter(u -> !u.equals(me.user())).forEach(u -> users.add(u.value()));
    write(resp, 200, out);
  }

  static void error(HttpServletResponse resp, int status, String message) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    out.put("error", message);
    write(resp, status, out);
  }

  private static void write(HttpServletResponse resp, int status, ObjectNode body)
      throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.setHeader("Cache-Control", "no-store");
    JSON.writeValue(resp.getOutputStream(), body);
  }
}
