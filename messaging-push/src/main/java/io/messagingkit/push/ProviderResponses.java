package io.messagingkit.push;

import io.messagingkit.core.PushNotification;
import io.messagingkit.core.port.PushGateway.Outcome;
import io.messagingkit.core.port.PushGateway.PushResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/** What the gateways share: the wake-up payload, Retry-After parsing, failures as results. */
final class ProviderResponses {

  /** Previews are cut to this many code points: every provider limits a payload to ~4 KiB. */
  static final int MAX_PREVIEW = 200;

  private ProviderResponses() {}

  /** {@code text} cut to {@code max} code points (ending with an ellipsis when cut). */
  static String shorten(String text, int max) {
    if (text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, max - 1)) + "\u2026";
  }

  /**
   * The fields of the wake-up payload: {@code type} = {@code messages}, {@code pending} (a hint),
   * and {@code preview} only when the host opted in to a sender-visible preview.
   */
  static Map<String, Object> wakeUpFields(PushNotification notification) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("type", "messages");
    fields.put("pending", notification.pending());
    if (notification.preview() != null) {
      fields.put("preview", shorten(notification.preview(), MAX_PREVIEW));
    }
    return fields;
  }

  /**
   * The wait a {@code Retry-After} header asks for (RFC 9110: delay-seconds or an HTTP-date), or
   * null when absent or unreadable.
   */
  static @Nullable Duration retryAfter(Optional<String> header, Clock clock) {
    if (header.isEmpty()) {
      return null;
    }
    String value = header.get().trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(clock.instant(), at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }

  /** A failure to reach the provider: transient, so RETRY. */
  static PushResult unreachable(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof HttpTimeoutException || cause instanceof IOException) {
      return new PushResult(Outcome.RETRY, null, "provider unreachable: " + cause);
    }
    return new PushResult(Outcome.RETRY, null, "sending failed: " + cause);
  }

  /**
   * An {@code apns-collapse-id} (at most 64 bytes): the collapse key if it fits, else a digest of
   * it.
   */
  static String apnsCollapseId(String collapseKey) {
    if (collapseKey.getBytes(StandardCharsets.UTF_8).length <= 64) {
      return collapseKey;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(collapseKey.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  /** HTTP/2 (negotiated by ALPN) for https; HTTP/1.1 for plain http, which has no h2c here. */
  static HttpClient.Version version(URI uri) {
    return "http".equalsIgnoreCase(uri.getScheme())
        ? HttpClient.Version.HTTP_1_1
        : HttpClient.Version.HTTP_2;
  }

  static PushResult failed(String detail) {
    return new PushResult(Outcome.FAILED, null, detail);
  }

  static String truncate(String body) {
    return body.length() <= 300 ? body : body.substring(0, 300) + "...";
  }
}
