package io.messagingkit.push;

import io.messagingkit.core.port.PushGateway;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RoutingPushGateway} runs the whole {@link io.messagingkit.tck.push.PushGatewayContract}:
 * an FCM gateway first (which must not take Web Push targets) and the Web Push gateway second,
 * against the same local push service and checks as {@link WebPushGatewayContractTest}.
 */
class RoutingPushGatewayContractTest extends WebPushGatewayContractTest {

  private static FakeGoogleOAuth oauth;

  @BeforeAll
  static void startOAuth() throws Exception {
    oauth = new FakeGoogleOAuth();
  }

  @AfterAll
  static void stopOAuth() {
    oauth.close();
  }

  private static PushGateway route(PushGateway webPush) {
    FcmPushGateway fcmToNowhere =
        FcmPushGateway.builder(oauth.account)
            .baseUri(URI.create("http://127.0.0.1:" + ClosedPort.find()))
            .build();
    return RoutingPushGateway.of(fcmToNowhere, webPush);
  }

  @Override
  protected PushGateway createGateway() {
    return route(super.createGateway());
  }

  @Override
  protected PushGateway createGatewayWithRequestTimeout(Duration timeout) {
    return route(super.createGatewayWithRequestTimeout(timeout));
  }

  @Override
  protected PushGateway createGatewayToUnreachableProvider() {
    return route(super.createGatewayToUnreachableProvider());
  }
}
