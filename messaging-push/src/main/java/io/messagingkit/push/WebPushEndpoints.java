package io.messagingkit.push;

import io.messagingkit.core.InvalidRequestException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which Web Push endpoints a {@link WebPushGateway} may contact. A subscription's endpoint is a URL
 * the client chooses, so without this rule a client could make the server POST to its own network
 * (server-side request forgery). An endpoint is accepted only if:
 *
 * <ul>
 *   <li>it is an {@code https} URL without user information ({@code user@host});
 *   <li>its host is a name, not an IP address in any notation ({@code 127.0.0.1}, {@code
 *       2130706433}, {@code 0x7f000001}, {@code [::ffff:127.0.0.1]}), and does not end with a dot;
 *   <li>the host (and port: 443 unless the pattern names another) matches the allow-list: by
 *       default the push services of the browsers ({@link #DEFAULT_HOSTS}), or the operator's own
 *       list ({@link #allowing});
 *   <li>when the gateway sends, every address the host resolves to is public: not loopback, private
 *       (RFC 1918), link-local (with the cloud metadata service 169.254.169.254), shared,
 *       unique-local IPv6, multicast, unspecified, reserved, nor an IPv6 form embedding one of
 *       those. The check runs again at every send, because a stored subscription may predate a rule
 *       and a name's addresses can change.
 * </ul>
 *
 * <p>Redirects are never followed (a {@link WebPushGateway} refuses an HTTP client that follows
 * them). The connection is made by the JDK HTTP client, which looks the name up again; it gets the
 * checked answer from the JVM's address cache (30 s by default), and TLS verifies the allow-listed
 * name, so a name whose addresses change between the check and the connection (DNS rebinding) would
 * also need a certificate for an allow-listed host.
 *
 * <p>Tests that run a push service on this machine opt in with {@link
 * #unsafeAllowLoopbackForTesting()}: then {@code http} or {@code https} endpoints on a loopback
 * address ({@code 127.x.x.x}, {@code [::1]}, {@code localhost}), on any port, are accepted too.
 * Never use it in production. Immutable and thread-safe.
 */
public final class WebPushEndpoints {

  /**
   * The push services of the browsers (December 2026): Chrome, Edge on Android, Samsung Internet
   * and Opera (Firebase Cloud Messaging, and its legacy host), Firefox (Mozilla autopush), Safari
   * (Apple), Edge on Windows (Windows Push Notification Services).
   */
  public static final List<String> DEFAULT_HOSTS =
      List.of(
          "fcm.googleapis.com",
          "android.googleapis.com",
          "updates.push.services.mozilla.com",
          "*.push.apple.com",
          "*.notify.windows.com");

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern LOOPBACK_V4 =
      Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final int HTTPS_PORT = 443;

  private final List<HostPattern> hosts;
  private final boolean loopbackForTesting;

  private WebPushEndpoints(List<HostPattern> hosts, boolean loopbackForTesting) {
    this.hosts = hosts;
    this.loopbackForTesting = loopbackForTesting;
  }

  /** The browsers' push services ({@link #DEFAULT_HOSTS}), https on port 443 only. */
  public static WebPushEndpoints defaults() {
    return allowing(DEFAULT_HOSTS);
  }

  /**
   * Only the hosts in {@code patterns}: each is a host name ({@code push.example.com}), or {@code
   * *.} and a domain for any name under it ({@code *.notify.windows.com}), optionally with {@code
   * :port} (default 443). Fails fast on a pattern that is not one of these.
   */
  public static WebPushEndpoints allowing(Collection<String> patterns) {
    Objects.requireNonNull(patterns, "patterns");
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("the Web Push endpoint allow-list must not be empty");
    }
    List<HostPattern> parsed = new ArrayList<>();
    for (String p : patterns) {
      parsed.add(HostPattern.parse(Objects.requireNonNull(p, "pattern")));
    }
    return new WebPushEndpoints(List.copyOf(parsed), false);
  }

  /**
   * These rules, and also endpoints over {@code http} or {@code https} on a loopback address, on
   * any port: for tests that run a push service on this machine. Unsafe in production (a client
   * could make the server post to its own local services).
   */
  public WebPushEndpoints unsafeAllowLoopbackForTesting() {
    return new WebPushEndpoints(hosts, true);
  }

  /** Whether loopback endpoints are accepted ({@link #unsafeAllowLoopbackForTesting()}). */
  public boolean allowsLoopbackForTesting() {
    return loopbackForTesting;
  }

  /** The allow-list, as given. */
  public List<String> allowedHosts() {
    return hosts.stream().map(HostPattern::text).collect(Collectors.toUnmodifiableList());
  }

  /**
   * The endpoint as a URI if the rules accept it (without looking any name up), else throws {@link
   * InvalidRequestException} whose message names the rule broken.
   */
  public URI check(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw refused("must be a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw refused("must be an https URL");
    }
    if (uri.getRawUserInfo() != null
        || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
      throw refused("must not carry user information (user@host)");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw refused("must name a host");
    }
    host = host.toLowerCase(Locale.ROOT);
    if (loopbackForTesting && isLoopbackName(host)) {
      return uri;
    }
    if (!scheme.equals("https")) {
      throw refused("must be an https URL");
    }
    if (host.endsWith(".")) {
      throw refused("must not end its host name with a dot");
    }
    if (isAddressLiteral(host)) {
      throw refused("must name its host, not an IP address");
    }
    int port = uri.getPort() == -1 ? HTTPS_PORT : uri.getPort();
    String h = host;
    if (hosts.stream().noneMatch(p -> p.matches(h, port))) {
      throw refused(
          "must be on an allowed push service ("
              + String.join(", ", allowedHosts())
              + (port != HTTPS_PORT ? ", on port 443" : "")
              + ")");
    }
    return uri;
  }

  /**
   * Looks the endpoint's host up and checks every address it resolves to; throws {@link
   * InvalidRequestException} if one is not public, or {@link UncheckedIOException} if the name does
   * not resolve. Blocks for the lookup.
   */
  List<InetAddress> checkAddresses(URI endpoint) {
    String host = Objects.requireNonNull(endpoint.getHost(), "host");
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new UncheckedIOException("the Web Push endpoint's host does not resolve: " + host, e);
    }
    for (InetAddress a : addresses) {
      if (loopbackForTesting && PublicAddresses.isLoopback(a)) {
        continue;
      }
      Optional<String> why = PublicAddresses.whyNotPublic(a);
      if (why.isPresent()) {
        throw refused(
            "must resolve to public addresses only; "
                + host
                + " resolves to "
                + a.getHostAddress()
                + ", "
                + why.get());
      }
    }
    return List.of(addresses);
  }

  private static InvalidRequestException refused(String rule) {
    return new InvalidRequestException("the Web Push endpoint " + rule);
  }

  private static boolean isLoopbackName(String host) {
    return host.equals("localhost") || host.equals("[::1]") || LOOPBACK_V4.matcher(host).matches();
  }

  /**
   * Whether {@code host} is, or could be read by some resolver as, an IP address: an IPv6 literal,
   * or a name whose last label does not start with a letter (every top-level domain does), which
   * covers dotted, decimal ({@code 2130706433}), octal and hexadecimal ({@code 0x7f.1}) IPv4.
   */
  static boolean isAddressLiteral(String host) {
    if (host.startsWith("[") || host.contains(":")) {
      return true;
    }
    String last = host.substring(host.lastIndexOf('.') + 1);
    return last.isEmpty() || !Character.isLetter(last.charAt(0)) || last.startsWith("0x");
  }

  @Override
  public String toString() {
    return "WebPushEndpoints"
        + allowedHosts()
        + (loopbackForTesting ? " + loopback (unsafe, testing)" : "");
  }

  /** One allow-list entry: an exact host or a domain's subdomains, and a port. */
  private record HostPattern(String text, String domain, boolean subdomains, int port) {

    static HostPattern parse(String text) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      int port = HTTPS_PORT;
      int colon = t.lastIndexOf(':');
      if (colon >= 0) {
        try {
          port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw invalid(text);
        }
        if (port < 1 || port > 65535) {
          throw invalid(text);
        }
        t = t.substring(0, colon);
      }
      boolean subdomains = t.startsWith("*.");
      String domain = subdomains ? t.substring(2) : t;
      if (domain.isEmpty() || isAddressLiteral(domain)) {
        throw invalid(text);
      }
      for (String label : domain.split("\\.", -1)) {
        if (!LABEL.matcher(label).matches()) {
          throw invalid(text);
        }
      }
      return new HostPattern(text, domain, subdomains, port);
    }

    private static IllegalArgumentException invalid(String text) {
      return new IllegalArgumentException(
          "a Web Push endpoint allow-list entry must be a host name or *.domain, optionally with"
              + " :port (no IP address, no trailing dot), got "
              + text);
    }

    boolean matches(String host, int port) {
      if (port != this.port) {
        return false;
      }
      if (!subdomains) {
        return host.equals(domain);
      }
      if (!host.endsWith("." + domain)) {
        return false;
      }
      String prefix = host.substring(0, host.length() - domain.length() - 1);
      for (String label : prefix.split("\\.", -1)) {
        if (!LABEL.matcher(label).matches()) {
          return false;
        }
      }
      return true;
    }
  }
}
