package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway.Outcome;
import io.messagingkit.core.port.PushGateway.PushResult;
import io.messagingkit.tck.MutableClock;
import io.messagingkit.tck.push.FakeHttpProvider;
import io.messagingkit.tck.push.FakeHttpProvider.Response;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What is particular to FCM: access tokens (cached, renewed, dropped on 401) and error codes. */
class FcmPushGatewayTest {

  private static final PushTarget TARGET =
      new PushTarget(PushTarget.Platform.FCM, "fcm-token-1", Map.of());
  private static final PushNotification WAKE_UP =
      new PushNotification(DeviceAddress.of("bob", "phone"), "m", 1, null, Duration.ofHours(1));

  private FakeGoogleOAuth oauth;
  private FakeHttpProvider fcm;
  private MutableClock clock;
  private FcmPushGateway gateway;

  @BeforeEach
  void start() throws Exception {
    oauth = new FakeGoogleOAuth();
    fcm = new FakeHttpProvider(r -> Response.json(200, "{\"name\":\"n\"}")).start();
    clock = MutableClock.start();
    gateway = FcmPushGateway.builder(oauth.account).baseUri(fcm.baseUri()).clock(clock).build();
  }

  @AfterEach
  void stop() {
    fcm.close();
    oauth.close();
  }

  private PushResult send() throws Exception {
    return gateway.send(TARGET, WAKE_UP).get(20, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("one access token serves many sends until shortly before it expires")
  void tokenCached() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(send().outcome()).isEqualTo(Outcome.ACCEPTED);
    }
    assertThat(oauth.exchanges()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(56));
    assertThat(send().outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(oauth.exchanges()).isEqualTo(2);
    assertThat(fcm.received().get(3).header("Authorization"))
        .isNotEqualTo(fcm.received().get(0).header("Authorization"));
  }

  @Test
  @DisplayName("a 401 drops the token: RETRY now, a fresh token next time")
  void unauthorized() throws Exception {
    fcm.answerNext(
        Response.json(
            401,
            FcmPushGatewayContractTest.fcmError(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")));
    assertThat(send().outcome()).isEqualTo(Outcome.RETRY);
    assertThat(send().outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(oauth.exchanges()).isEqualTo(2);
  }

  @Test
  @DisplayName("UNREGISTERED is TARGET_GONE whatever the status; SENDER_ID_MISMATCH is FAILED")
  void errorCodes() throws Exception {
    fcm.answerNext(
        Response.json(
            400, FcmPushGatewayContractTest.fcmError(400, "INVALID_ARGUMENT", "UNREGISTERED")));
    assertThat(send().outcome()).isEqualTo(Outcome.TARGET_GONE);
    fcm.answerNext(
        Response.json(
            403,
            FcmPushGatewayContractTest.fcmError(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")));
    assertThat(send().outcome()).isEqualTo(Outcome.FAILED);
  }

  @Test
  @DisplayName("a token endpoint that refuses the grant is FAILED; one that is down is RETRY")
  void tokenEndpoint() throws Exception {
    oauth.endpoint.answerNext(Response.json(400, "{\"error\":\"invalid_grant\"}"));
    PushResult refused = send();
    assertThat(refused.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(refused.detail()).contains("invalid_grant");
    oauth.endpoint.answerNext(Response.of(503));
    assertThat(send().outcome()).isEqualTo(Outcome.RETRY);
    assertThat(fcm.received()).isEmpty();
    assertThat(send().outcome()).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  @DisplayName("a Retry-After date is turned into a wait")
  void retryAfterDate() throws Exception {
    fcm.answerNext(new Response(503, Map.of("Retry-After", "Thu, 01 Jan 2026 00:02:00 GMT"), ""));
    PushResult r = send();
    assertThat(r.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(r.retryAfter()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  @DisplayName("targets of other platforms are refused without a request")
  void otherPlatform() throws Exception {
    PushTarget apns = new PushTarget(PushTarget.Platform.APNS, "abc", Map.of());
    assertThat(gateway.supports(PushTarget.Platform.APNS)).isFalse();
    assertThat(gateway.send(apns, WAKE_UP).get().outcome()).isEqualTo(Outcome.FAILED);
    assertThat(fcm.received()).isEmpty();
  }

  @Test
  @DisplayName("a key file that is not a service account is refused, naming what is wrong")
  void badKeyFile() {
    assertThatThrownBy(() -> FcmServiceAccount.fromJson(json("{\"type\":\"authorized_user\"}")))
        .hasMessageContaining("service_account");
    assertThatThrownBy(
            () ->
                FcmServiceAccount.fromJson(
                    json(
                        "{\"type\":\"service_account\",\"project_id\":\"p\",\"client_email\":\"e\",\"private_key\":\"nope\"}")))
        .hasMessageContaining("private_key");
  }

  private static ByteArrayInputStream json(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
