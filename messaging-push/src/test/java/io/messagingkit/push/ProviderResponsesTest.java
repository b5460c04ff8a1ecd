package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.port.PushGateway.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProviderResponsesTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  @Test
  @DisplayName("Retry-After: delay-seconds, an HTTP-date, or nothing when absent or unreadable")
  void retryAfter() {
    assertThat(ProviderResponses.retryAfter(Optional.of("120"), CLOCK))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(ProviderResponses.retryAfter(Optional.of("Thu, 01 Jan 2026 00:00:30 GMT"), CLOCK))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(ProviderResponses.retryAfter(Optional.of("Wed, 31 Dec 2025 23:00:00 GMT"), CLOCK))
        .isEqualTo(Duration.ZERO);
    assertThat(ProviderResponses.retryAfter(Optional.of("-5"), CLOCK)).isNull();
    assertThat(ProviderResponses.retryAfter(Optional.of("soon"), CLOCK)).isNull();
    assertThat(ProviderResponses.retryAfter(Optional.empty(), CLOCK)).isNull();
  }

  @Test
  @DisplayName("a long preview is cut, whole code points, so the payload fits every provider")
  void previewCut() {
    String longText = "👋".repeat(500);
    PushNotification n =
        new PushNotification(
            DeviceAddress.of("bob", "phone"), "k", 1, longText, Duration.ofMinutes(1));
    String preview = (String) ProviderResponses.wakeUpFields(n).get("preview");
    assertThat(preview.codePointCount(0, preview.length()))
        .isEqualTo(ProviderResponses.MAX_PREVIEW);
    assertThat(preview).endsWith("…").startsWith("👋👋");
    assertThat(ProviderResponses.shorten("short", 200)).isEqualTo("short");
  }

  @Test
  @DisplayName("a failure to reach the provider is RETRY, unwrapped from its completion")
  void unreachable() {
    assertThat(
            ProviderResponses.unreachable(new CompletionException(new ConnectException("refused")))
                .outcome())
        .isEqualTo(Outcome.RETRY);
    assertThat(ProviderResponses.unreachable(new IOException("reset")).detail())
        .contains("unreachable");
  }
}
