package io.messagingkit.push;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Whether an IP address is on the public internet, and if not, why. A push gateway contacts only
 * public addresses: anything else (loopback, private networks, link-local with the cloud metadata
 * service at 169.254.169.254, unique-local IPv6, multicast, unspecified, reserved and documentation
 * ranges, and the IPv6 forms that embed one of those IPv4 addresses) is refused, so that a push
 * target cannot make the server reach its own network (server-side request forgery).
 */
final class PublicAddresses {

  private PublicAddresses() {}

  /** Why {@code address} is not a public address, or empty if it is one. */
  static Optional<String> whyNotPublic(InetAddress address) {
    if (address instanceof Inet4Address v4) {
      return whyNotPublic4(v4.getAddress());
    }
    byte[] a = address.getAddress();
    if (address.isAnyLocalAddress()) {
      return Optional.of("the unspecified address");
    }
    if (address.isLoopbackAddress()) {
      return Optional.of("a loopback address");
    }
    if (address.isMulticastAddress()) {
      return Optional.of("a multicast address");
    }
    if (address.isLinkLocalAddress()) {
      return Optional.of("a link-local address");
    }
    if (address.isSiteLocalAddress()) {
      return Optional.of("a site-local address");
    }
    if ((a[0] & 0xfe) == 0xfc) {
      return Optional.of("a unique-local IPv6 address (fc00::/7)");
    }
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && (a[3] & 0xff) == 0xb8) {
      return Optional.of("a documentation address (2001:db8::/32)");
    }
    if (allZero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
      return embedded(a, 12, "an IPv4-mapped address"); // ::ffff:a.b.c.d
    }
    if (allZero(a, 0, 12)) {
      return embedded(a, 12, "an IPv4-compatible address"); // ::a.b.c.d
    }
    if (a[0] == 0x00 && a[1] == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b) {
      return embedded(a, 12, "a NAT64 address"); // 64:ff9b::a.b.c.d
    }
    if (a[0] == 0x20 && a[1] == 0x02) {
      return embedded(a, 2, "a 6to4 address"); // 2002:aabb:ccdd::
    }
    if (a[0] == 0x01 && allZero(a, 1, 8)) {
      return Optional.of("a discard-only address (100::/64)");
    }
    if ((a[0] & 0xe0) != 0x20) {
      return Optional.of("not a global unicast IPv6 address (2000::/3)");
    }
    return Optional.empty();
  }

  private static Optional<String> embedded(byte[] a, int at, String form) {
    byte[] v4 = {a[at], a[at + 1], a[at + 2], a[at + 3]};
    return whyNotPublic4(v4).map(why -> form + " of " + why);
  }

  private static Optional<String> whyNotPublic4(byte[] a) {
    int b0 = a[0] & 0xff;
    int b1 = a[1] & 0xff;
    int b2 = a[2] & 0xff;
    if (b0 == 0) {
      return Optional.of("an address of \"this network\" (0.0.0.0/8)");
    }
    if (b0 == 127) {
      return Optional.of("a loopback address");
    }
    if (b0 == 10 || b0 == 172 && (b1 & 0xf0) == 16 || b0 == 192 && b1 == 168) {
      return Optional.of("a private address (RFC 1918)");
    }
    if (b0 == 169 && b1 == 254) {
      return Optional.of("a link-local address (169.254.0.0/16, cloud metadata)");
    }
    if (b0 == 100 && (b1 & 0xc0) == 64) {
      return Optional.of("a shared address (100.64.0.0/10)");
    }
    if (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2)
        || b0 == 198 && b1 == 51 && b2 == 100
        || b0 == 203 && b1 == 0 && b2 == 113) {
      return Optional.of("a reserved or documentation address");
    }
    if (b0 == 198 && (b1 & 0xfe) == 18) {
      return Optional.of("a benchmarking address (198.18.0.0/15)");
    }
    if (b0 >= 224) {
      return Optional.of(b0 < 240 ? "a multicast address" : "a reserved address (240.0.0.0/4)");
    }
    return Optional.empty();
  }

  private static boolean allZero(byte[] a, int from, int to) {
    for (int i = from; i < to; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code address} is a loopback address, in any IPv4 or IPv6 form. */
  static boolean isLoopback(InetAddress address) {
    if (address.isLoopbackAddress()) {
      return true;
    }
    if (address instanceof Inet6Address) {
      byte[] a = address.getAddress();
      if (allZero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
        return (a[12] & 0xff) == 127;
      }
    }
    return false;
  }
}
