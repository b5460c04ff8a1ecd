package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.InvalidRequestException;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules that keep a Web Push endpoint from pointing the server at its own network. */
class WebPushEndpointsTest {

  private final WebPushEndpoints defaults = WebPushEndpoints.defaults();

  @Nested
  @DisplayName("by default")
  class Defaults {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "https://fcm.googleapis.com/fcm/send/dGhpcyBpcyBh:APA91bE",
          "https://FCM.GoogleAPIs.com/wp/abc",
          "https://fcm.googleapis.com:443/wp/abc",
          "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABf",
          "https://web.push.apple.com/QGuQyavXutnMHJM6ZkzxvDmP",
          "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
          "https://android.googleapis.com/gcm/send/abc"
        })
    @DisplayName("the browsers' push services are accepted")
    void browsers(String endpoint) {
      assertThat(defaults.check(endpoint)).isEqualTo(URI.create(endpoint));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "http://fcm.googleapis.com/fcm/send/x | must be an https URL",
          "ftp://fcm.googleapis.com/x | must be an https URL",
          "file:///etc/passwd | must be an https URL",
          "javascript:alert(1) | must be an https URL",
          "/fcm/send/x | must be an https URL",
          "http://127.0.0.1:8080/push | must be an https URL",
          "http://2130706433/ | must be an https URL",
          "http://localhost/ | must be an https URL",
          "https://user@fcm.googleapis.com/fcm/send/x | must not carry user information",
          "https://fcm.googleapis.com@127.0.0.1/x | must not carry user information",
          "https://user:pw@fcm.googleapis.com/x | must not carry user information",
          "https://127.0.0.1/push | must name its host, not an IP address",
          "https://2130706433/ | must name its host, not an IP address",
          "https://0x7f000001/ | must name its host, not an IP address",
          "https://0x7f.0.0.1/ | must name a host",
          "https://0177.0.0.1/ | must name its host, not an IP address",
          "https://127.1/ | must name a host",
          "https://169.254.169.254/latest/meta-data/ | must name its host, not an IP address",
          "https://0.0.0.0/ | must name its host, not an IP address",
          "https://10.0.0.5/ | must name its host, not an IP address",
          "https://[::1]/ | must name its host, not an IP address",
          "https://[::]/ | must name its host, not an IP address",
          "https://[::ffff:127.0.0.1]/ | must name its host, not an IP address",
          "https://[::ffff:7f00:1]/ | must name its host, not an IP address",
          "https://[fd00:ec2::254]/ | must name its host, not an IP address",
          "https://[fe80::1]/ | must name its host, not an IP address",
          "https://fcm.googleapis.com./fcm/send/x | must not end its host name with a dot",
          "https://fcm.googleapis.com:8443/fcm/send/x | must be on an allowed push service",
          "https://fcm.googleapis.com:80/x | must be on an allowed push service",
          "https://evil.example/fcm/send/x | must be on an allowed push service",
          "https://fcm.googleapis.com.evil.example/x | must be on an allowed push service",
          "https://evilnotify.windows.com/x | must be on an allowed push service",
          "https://notify.windows.com/x | must be on an allowed push service",
          "https://localhost/x | must be on an allowed push service",
          "https://metadata.google.internal/computeMetadata/v1/ | must be on an allowed push service",
          "https://%31%32%37.0.0.1/ | must name a host",
          "https:///fcm/send/x | must name a host",
          "https://under_score.notify.windows.com/x | must name a host",
          "https://fcm.googleapis.com/a b | must be a URL",
          "https://[::1/ | must be a URL"
        })
    @DisplayName("any other endpoint is refused, naming the rule")
    void refused(String endpoint, String rule) {
      assertThatThrownBy(() -> defaults.check(endpoint))
          .isInstanceOfSatisfying(
              InvalidRequestException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
          .hasMessageStartingWith("the Web Push endpoint ")
          .hasMessageContaining(rule);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "http://127.0.0.1:4711/push",
          "http://localhost:4711/push",
          "http://[::1]:4711/push",
          "https://127.0.0.1:4711/push"
        })
    @DisplayName("a push service on this machine is refused unless the test opt-in is set")
    void loopbackOnlyWithOptIn(String endpoint) {
      assertThatThrownBy(() -> defaults.check(endpoint))
          .isInstanceOf(InvalidRequestException.class);
      WebPushEndpoints testing = defaults.unsafeAllowLoopbackForTesting();
      assertThat(testing.allowsLoopbackForTesting()).isTrue();
      assertThat(testing.check(endpoint)).isEqualTo(URI.create(endpoint));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "http://10.0.0.5/push",
          "http://169.254.169.254/latest/meta-data/",
          "http://2130706433/",
          "http://[::ffff:127.0.0.1]/",
          "http://evil.example/push"
        })
    @DisplayName("the test opt-in accepts loopback only, nothing else on the network")
    void optInIsLoopbackOnly(String endpoint) {
      WebPushEndpoints testing = defaults.unsafeAllowLoopbackForTesting();
      assertThatThrownBy(() -> testing.check(endpoint)).isInstanceOf(InvalidRequestException.class);
    }
  }

  @Nested
  @DisplayName("the operator's allow-list")
  class AllowList {

    @Test
    @DisplayName("replaces the defaults, with exact hosts, *.domain and explicit ports")
    void replaces() {
      WebPushEndpoints own =
          WebPushEndpoints.allowing(List.of("push.example.com", "*.push.example.net:8443"));
      assertThat(own.check("https://push.example.com/s/1")).isNotNull();
      assertThat(own.check("https://eu.push.example.net:8443/s/1")).isNotNull();
      assertThatThrownBy(() -> own.check("https://eu.push.example.net/s/1"))
          .hasMessageContaining("must be on an allowed push service");
      assertThatThrownBy(() -> own.check("https://fcm.googleapis.com/fcm/send/x"))
          .hasMessageContaining("must be on an allowed push service");
      assertThat(own.allowedHosts()).containsExactly("push.example.com", "*.push.example.net:8443");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(
        strings = {
          "",
          "127.0.0.1",
          "[::1]",
          "2130706433",
          "*.",
          "push.example.com.",
          "push.example.com:0",
          "push.example.com:https",
          "http://push.example.com",
          "*.*.example.com"
        })
    @DisplayName("an entry that is not a host name or *.domain fails fast, naming the setting")
    void malformed(String pattern) {
      assertThatThrownBy(() -> WebPushEndpoints.allowing(List.of(pattern)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("allow-list entry");
    }

    @Test
    @DisplayName("an empty allow-list fails fast")
    void empty() {
      assertThatThrownBy(() -> WebPushEndpoints.allowing(List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must not be empty");
    }
  }

  @Nested
  @DisplayName("at send time, the addresses a host resolves to")
  class Addresses {

    @Test
    @DisplayName("a host that resolves to 127.0.0.1 is refused even when allow-listed")
    void resolvesToLoopback() {
      WebPushEndpoints own = WebPushEndpoints.allowing(List.of("localhost:4711"));
      URI endpoint = own.check("https://localhost:4711/push");
      assertThatThrownBy(() -> own.checkAddresses(endpoint))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("must resolve to public addresses only")
          .hasMessageContaining("loopback");
      assertThat(own.unsafeAllowLoopbackForTesting().checkAddresses(endpoint)).isNotEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "127.0.0.1 | loopback",
          "127.255.0.9 | loopback",
          "0.0.0.0 | this network",
          "10.1.2.3 | private",
          "172.16.0.1 | private",
          "172.31.255.254 | private",
          "192.168.1.1 | private",
          "169.254.169.254 | link-local",
          "100.100.100.200 | shared",
          "192.0.2.1 | documentation",
          "198.18.0.1 | benchmarking",
          "224.0.0.1 | multicast",
          "239.255.255.250 | multicast",
          "255.255.255.255 | reserved",
          "::1 | loopback",
          ":: | unspecified",
          "fe80::1 | link-local",
          "fec0::1 | site-local",
          "fc00::1 | unique-local",
          "fd00:ec2::254 | unique-local",
          "ff02::1 | multicast",
          "::ffff:127.0.0.1 | loopback",
          "::ffff:169.254.169.254 | link-local",
          "::127.0.0.1 | IPv4-compatible",
          "64:ff9b::a9fe:a9fe | NAT64",
          "2002:7f00:1::1 | 6to4",
          "2001:db8::1 | documentation",
          "100::1 | discard"
        })
    @DisplayName("an address that is not public is refused, naming why")
    void notPublic(String literal, String why) throws Exception {
      assertThat(PublicAddresses.whyNotPublic(InetAddress.getByName(literal)))
          .hasValueSatisfying(reason -> assertThat(reason).contains(why));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "142.250.185.74",
          "8.8.8.8",
          "172.32.0.1",
          "2a00:1450:4001:82b::200a",
          "2002:808:808::1"
        })
    @DisplayName("a public address is accepted")
    void publicAddress(String literal) throws Exception {
      assertThat(PublicAddresses.whyNotPublic(InetAddress.getByName(literal))).isEmpty();
    }
  }
}
