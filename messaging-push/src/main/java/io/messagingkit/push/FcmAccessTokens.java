package io.messagingkit.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * OAuth 2.0 access tokens for FCM from a service account: a JWT signed with the account's key (RFC
 * 7523 {@code jwt-bearer} grant) exchanged at the token endpoint, cached until shortly before it
 * expires. One exchange at a time; callers share its future. Thread-safe.
 */
final class FcmAccessTokens {

  static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
  private static final String GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  private static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);
  private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A token endpoint's refusal: {@code retryable} when a later attempt may succeed. */
  static final class TokenException extends IOException {
    private static final long serialVersionUID = 1L;
    final boolean retryable;

    TokenException(String message, boolean retryable) {
      super(message);
      this.retryable = retryable;
    }
  }

  private record Token(String value, Instant expires) {}

  private final FcmServiceAccount account;
  private final HttpClient http;
  private final Clock clock;
  private final Duration timeout;
  private @Nullable Token current;
  private @Nullable CompletableFuture<String> pending;

  FcmAccessTokens(FcmServiceAccount account, HttpClient http, Clock clock, Duration timeout) {
    this.account = account;
    this.http = http;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** A valid access token: the cached one, or the future of a fresh exchange. */
  synchronized CompletableFuture<String> get() {
    Instant now = clock.instant();
    if (current != null && now.isBefore(current.expires().minus(RENEW_BEFORE))) {
      return CompletableFuture.completedFuture(current.value());
    }
    if (pending != null) {
      return pending;
    }
    CompletableFuture<String> exchange;
    try {
      exchange = exchange(now);
    } catch (JOSEException e) {
      exchange = CompletableFuture.failedFuture(new TokenException("cannot sign: " + e, false));
    }
    CompletableFuture<String> mine = exchange;
    pending = mine;
    mine.whenComplete((v, e) -> clearPending(mine));
    return mine;
  }

  /** Forgets {@code token} (the provider refused it), so the next call fetches another. */
  synchronized void invalidate(String token) {
    if (current != null && current.value().equals(token)) {
      current = null;
    }
  }

  private synchronized void clearPending(CompletableFuture<String> done) {
    if (pending == done) {
      pending = null;
    }
  }

  private synchronized void store(Token token) {
    current = token;
  }

  private CompletableFuture<String> exchange(Instant now) throws JOSEException {
    JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT);
    if (account.privateKeyId() != null) {
      header.keyID(account.privateKeyId());
    }
    SignedJWT assertion =
        new SignedJWT(
            header.build(),
            new JWTClaimsSet.Builder()
                .issuer(account.clientEmail())
                .audience(account.tokenUri().toString())
                .claim("scope", SCOPE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
                .build());
    assertion.sign(new RSASSASigner(account.privateKey()));
    String form =
        "grant_type="
            + URLEncoder.encode(GRANT, StandardCharsets.UTF_8)
            + "&assertion="
            + URLEncoder.encode(assertion.serialize(), StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(account.tokenUri())
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .version(ProviderResponses.version(account.tokenUri()))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> parse(response, now));
  }

  private String parse(HttpResponse<String> response, Instant requestedAt) {
    int status = response.statusCode();
    if (status != 200) {
      throw new java.util.concurrent.CompletionException(
          new TokenException(
              "token endpoint answered HTTP "
                  + status
                  + " "
                  + ProviderResponses.truncate(response.body()),
              status == 429 || status >= 500));
    }
    try {
      JsonNode json = JSON.readTree(response.body());
      String value = json.path("access_token").asText("");
      if (value.isBlank()) {
        throw new TokenException("token endpoint sent no access_token", true);
      }
      long seconds = json.path("expires_in").asLong(3600);
      store(new Token(value, requestedAt.plusSeconds(seconds)));
      return value;
    } catch (IOException e) {
      throw new java.util.concurrent.CompletionException(
          e instanceof TokenException ? e : new TokenException("unreadable token answer", true));
    }
  }
}
