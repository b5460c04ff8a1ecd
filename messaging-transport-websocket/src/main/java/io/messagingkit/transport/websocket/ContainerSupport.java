package io.messagingkit.transport.websocket;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * The two things the Jakarta WebSocket API cannot say portably: how to refuse a handshake with a
 * given HTTP status, and the peer's address. The launchers supply their container's answer; {@link
 * #generic()} works in any container (a refusal then surfaces with the container's own status, but
 * never opens a socket).
 */
public interface ContainerSupport {

  /**
   * An exception that, thrown from {@code modifyHandshake}, makes the container answer the upgrade
   * request with {@code status} and no socket.
   */
  RuntimeException refusal(int status, String reason, HandshakeResponse response);

  /** The remote address of a handshake, or null if the container does not tell. */
  @Nullable String remoteAddress(ServerEndpointConfig config, HandshakeRequest request);

  /**
   * Portable support: refusals are plain runtime exceptions; the address comes from the user
   * property {@code jakarta.websocket.endpoint.remoteAddress} where the container sets it (Jetty).
   */
  static ContainerSupport generic() {
    return new ContainerSupport() {
      @Override
      public RuntimeException refusal(int status, String reason, HandshakeResponse response) {
        return new IllegalStateException("handshake refused (" + status + "): " + reason);
      }

      @Override
      public @Nullable String remoteAddress(ServerEndpointConfig config, HandshakeRequest request) {
        return userPropertyAddress(config);
      }
    };
  }

  /** The address Jetty publishes as the user property {@code ...endpoint.remoteAddress}. */
  static @Nullable String userPropertyAddress(ServerEndpointConfig config) {
    Object a = config.getUserProperties().get("jakarta.websocket.endpoint.remoteAddress");
    if (a instanceof InetSocketAddress isa) {
      return isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString();
    }
    return a == null ? null : a.toString();
  }
}
