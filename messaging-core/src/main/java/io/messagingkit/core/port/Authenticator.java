package io.messagingkit.core.port;

import io.messagingkit.core.DeviceAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns a connection handshake into an authenticated device, or refuses it. Called before the
 * upgrade completes: a refused handshake never gets a socket. Thread-safe; may block briefly (a JWK
 * set fetch).
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * The authenticated device, or throws {@link io.messagingkit.core.AuthenticationException} with a
   * reason safe to log (never the credential itself).
   */
  DeviceAddress authenticate(Handshake handshake);

  /**
   * Like {@link #authenticate}, and also says until when the credential is valid, so that a
   * transport closes a connection whose credential expired (the client then reconnects with a fresh
   * one). The default delegates to {@link #authenticate}: no expiry.
   */
  default Authenticated authenticateSession(Handshake handshake) {
    return new Authenticated(authenticate(handshake), null);
  }

  /**
   * An authenticated device.
   *
   * @param device the device the credential names
   * @param expiresAt when the credential stops being valid, or null if it does not expire
   */
  record Authenticated(DeviceAddress device, @Nullable Instant expiresAt) {
    public Authenticated {
      Objects.requireNonNull(device, "device");
    }
  }

  /**
   * What a transport knows about a connection attempt.
   *
   * @param headers request headers, names in lower case
   * @param queryParameters the query string's parameters
   * @param subprotocols the subprotocols the client offered, in order
   * @param remoteAddress the peer's address, if known
   */
  record Handshake(
      Map<String, List<String>> headers,
      Map<String, List<String>> queryParameters,
      List<String> subprotocols,
      @Nullable String remoteAddress) {
    public Handshake {
      TreeMap<String, List<String>> lower = new TreeMap<>();
      Objects.requireNonNull(headers, "headers")
          .forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      headers = java.util.Collections.unmodifiableMap(lower);
      queryParameters = Map.copyOf(Objects.requireNonNull(queryParameters, "queryParameters"));
      subprotocols = List.copyOf(Objects.requireNonNull(subprotocols, "subprotocols"));
    }

    /** The first value of a header (case-insensitive), if present. */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The first value of a query parameter, if present. */
    public Optional<String> queryParameter(String name) {
      List<String> values = queryParameters.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
  }
}
