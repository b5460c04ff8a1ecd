package io.messagingkit.transport.websocket;

import io.messagingkit.core.AuthenticationException;
import io.messagingkit.core.port.Authenticator;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates the handshake before the upgrade: checks the Origin against the allow-list,
 * requires the {@code messagingkit.v1} subprotocol when the client offers any, runs the {@link
 * Authenticator} and enforces the per-address connection cap. The results travel to the endpoint in
 * the per-handshake copy of the user properties.
 */
final class HandshakeConfigurator extends ServerEndpointConfig.Configurator {
  private static final Logger log = LoggerFactory.getLogger(HandshakeConfigurator.class);

  static final String DEVICE = "io.messagingkit.device";
  static final String REMOTE_ADDRESS = "io.messagingkit.remoteAddress";
  static final String EXPIRES_AT = "io.messagingkit.expiresAt";

  private final ChatWebSocket owner;

  HandshakeConfigurator(ChatWebSocket owner) {
    this.owner = owner;
  }

  /**
   * Always true: the Origin is checked in {@link #modifyHandshake} instead, where the refusal can
   * be written as a complete HTTP 403 on every container (Tyrus 2.2.0 answers a failed {@code
   * checkOrigin} with a response the client never sees the end of).
   */
  @Override
  public boolean checkOrigin(@Nullable String originHeaderValue) {
    return true;
  }

  private boolean originAllowed(@Nullable String origin) {
    if (origin == null || origin.isEmpty()) {
      return true; // not a browser: no cross-site hijacking possible
    }
    var allowed = owner.settings().allowedOrigins();
    return allowed.contains("*") || allowed.contains(origin);
  }

  @Override
  public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
    return requested.contains(WireCodec.SUBPROTOCOL) ? WireCodec.SUBPROTOCOL : "";
  }

  @Override
  public void modifyHandshake(
      ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
    String origin = header(request.getHeaders(), "Origin");
    if (!originAllowed(origin)) {
      owner.refusedOrigin();
      log.debug("refused origin {}", origin);
      throw owner.container().refusal(403, "origin not allowed", response);
    }
    List<String> offered = subprotocols(request.getHeaders());
    if (!offered.isEmpty() && !offered.contains(WireCodec.SUBPROTOCOL)) {
      owner.refusedHandshake();
      throw owner
          .container()
          .refusal(400, "subprotocol " + WireCodec.SUBPROTOCOL + " required", response);
    }
    String address = owner.container().remoteAddress(sec, request);
    if (address != null && !owner.addressHasRoom(address)) {
      owner.refusedHandshake();
      throw owner.container().refusal(429, "too many connections from this address", response);
    }
    Authenticator.Authenticated device;
    try {
      device =
          owner
              .authenticator()
              .authenticateSession(
                  new Authenticator.Handshake(
                      request.getHeaders(), request.getParameterMap(), offered, address));
    } catch (AuthenticationException e) {
      owner.refusedHandshake();
      log.debug("handshake refused: {}", e.getMessage());
      throw owner.container().refusal(401, "unauthenticated", response);
    } catch (RuntimeException e) {
      owner.refusedHandshake();
      log.warn("authenticator failed", e);
      throw owner.container().refusal(503, "authentication unavailable", response);
    }
    sec.getUserProperties().put(DEVICE, device.device());
    if (device.expiresAt() != null) {
      sec.getUserProperties().put(EXPIRES_AT, device.expiresAt());
    }
    if (address != null) {
      sec.getUserProperties().put(REMOTE_ADDRESS, address);
    }
  }

  @Override
  public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
    if (!endpointClass.equals(ChatEndpoint.class)) {
      throw new InstantiationException("unexpected endpoint class " + endpointClass.getName());
    }
    return endpointClass.cast(new ChatEndpoint(owner));
  }

  private static @Nullable String header(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  private static List<String> subprotocols(Map<String, List<String>> headers) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase("Sec-WebSocket-Protocol")) {
        for (String v : e.getValue()) {
          for (String p : v.split(",")) {
            if (!p.isBlank()) {
              out.add(p.trim());
            }
          }
        }
      }
    }
    return out;
  }
}
