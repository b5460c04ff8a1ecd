package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import io.messagingkit.tck.push.FakeHttpProvider;
import io.messagingkit.tck.push.FakeHttpProvider.Request;
import io.messagingkit.tck.push.FakeHttpProvider.Response;
import io.messagingkit.tck.push.PushGatewayContract;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link FcmPushGateway} against a local FCM HTTP v1 endpoint that checks what FCM does: the
 * project's path, a Bearer token the (fake) Google token endpoint issued for the service account,
 * the JSON shape (string data, android collapse key / HIGH priority / TTL, apns headers, webpush
 * headers), and answers with FCM's error bodies.
 */
class FcmPushGatewayContractTest extends PushGatewayContract {

  private static final ObjectMapper JSON = new ObjectMapper();
  static FakeGoogleOAuth oauth;
  static FakeHttpProvider fcm;

  @BeforeAll
  static void startFcm() throws Exception {
    oauth = new FakeGoogleOAuth();
    fcm =
        new FakeHttpProvider(
                r -> Response.json(200, "{\"name\":\"projects/chat-app-4711/messages/1\"}"))
            .start();
  }

  @AfterAll
  static void stopFcm() {
    fcm.close();
    oauth.close();
  }

  @BeforeEach
  void resetFcm() {
    fcm.reset();
  }

  static String fcmError(int code, String status, String errorCode) {
    return "{\"error\":{\"code\":"
        + code
        + ",\"message\":\"fake\",\"status\":\""
        + status
        + "\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
        + "\"errorCode\":\""
        + errorCode
        + "\"}]}}";
  }

  @Override
  protected PushGateway createGateway() {
    return FcmPushGateway.builder(oauth.account).baseUri(fcm.baseUri()).build();
  }

  @Override
  protected PushGateway createGatewayWithRequestTimeout(Duration timeout) {
    return FcmPushGateway.builder(oauth.account)
        .baseUri(fcm.baseUri())
        .requestTimeout(timeout)
        .build();
  }

  @Override
  protected PushGateway createGatewayToUnreachableProvider() {
    return FcmPushGateway.builder(oauth.account)
        .baseUri(URI.create("http://127.0.0.1:" + ClosedPort.find()))
        .build();
  }

  @Override
  protected PushTarget target() {
    return new PushTarget(PushTarget.Platform.FCM, "fcm-registration-token:APA91b-xyz", Map.of());
  }

  @Override
  protected void answerNext(Answer answer) {
    fcm.answerNext(
        switch (answer) {
          case ACCEPT -> Response.json(200, "{\"name\":\"projects/chat-app-4711/messages/2\"}");
          case TARGET_GONE -> Response.json(404, fcmError(404, "NOT_FOUND", "UNREGISTERED"));
          case THROTTLE ->
              new Response(
                  429,
                  Map.of(
                      "Retry-After",
                      Long.toString(RETRY_AFTER.toSeconds()),
                      "Content-Type",
                      "application/json"),
                  fcmError(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"));
          case SERVER_ERROR -> Response.json(503, fcmError(503, "UNAVAILABLE", "UNAVAILABLE"));
          case BAD_REQUEST ->
              Response.json(400, fcmError(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"));
        });
  }

  @Override
  protected void holdAnswers(CountDownLatch release) {
    fcm.holdAnswers(release);
  }

  @Override
  protected int requestsReceived() {
    return fcm.received().size();
  }

  @Override
  protected String verifyLastRequest(PushTarget target, PushNotification n) {
    return verify(fcm.lastRequest(), target, n);
  }

  static String verify(Request r, PushTarget target, PushNotification n) {
    try {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/v1/projects/chat-app-4711/messages:send");
      assertThat(r.header("Content-Type")).startsWith("application/json");
      String auth = String.valueOf(r.header("Authorization"));
      assertThat(auth).startsWith("Bearer ");
      assertThat(oauth.issued(auth.substring(7))).as("token issued by the endpoint").isTrue();

      JsonNode root = JSON.readTree(r.body());
      List<String> top = new ArrayList<>();
      root.fieldNames().forEachRemaining(top::add);
      assertThat(top).containsExactly("message");
      JsonNode m = root.get("message");
      assertThat(m.path("token").asText()).isEqualTo(target.token());
      JsonNode data = m.path("data");
      data.fields()
          .forEachRemaining(e -> assertThat(e.getValue().isTextual()).as(e.getKey()).isTrue());
      assertThat(data.path("type").asText()).isEqualTo("messages");
      assertThat(data.path("pending").asText()).isEqualTo(Long.toString(n.pending()));
      assertThat(m.has("notification")).isFalse();
      long ttl = n.timeToLive().toSeconds();
      JsonNode android = m.path("android");
      assertThat(android.path("collapse_key").asText()).isEqualTo(n.collapseKey());
      assertThat(android.path("priority").asText()).isEqualTo("HIGH");
      assertThat(android.path("ttl").asText()).isEqualTo(ttl + "s");
      JsonNode apns = m.path("apns").path("headers");
      assertThat(apns.path("apns-collapse-id").asText()).isEqualTo(n.collapseKey());
      assertThat(apns.path("apns-push-type").asText()).isEqualTo("background");
      assertThat(apns.path("apns-priority").asText()).isEqualTo("5");
      long expiration = Long.parseLong(apns.path("apns-expiration").asText());
      assertThat(expiration - Instant.now().getEpochSecond()).isBetween(ttl - 60, ttl + 1);
      assertThat(m.path("apns").path("payload").path("aps").path("content-available").asInt())
          .isEqualTo(1);
      JsonNode web = m.path("webpush").path("headers");
      assertThat(web.path("TTL").asText()).isEqualTo(Long.toString(ttl));
      assertThat(web.path("Topic").asText()).matches("[A-Za-z0-9_-]{1,32}");
      if (n.preview() == null) {
        assertThat(data.has("preview")).isFalse();
      } else {
        assertThat(data.path("preview").asText()).isEqualTo(n.preview());
      }
      return data.toString();
    } catch (java.io.IOException e) {
      throw new AssertionError("FCM would refuse this body: " + e, e);
    }
  }
}
