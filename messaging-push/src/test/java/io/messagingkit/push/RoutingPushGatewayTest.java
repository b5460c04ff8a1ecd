package io.messagingkit.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.PushTarget.Platform;
import io.messagingkit.core.memory.RecordingPushGateway;
import io.messagingkit.core.port.PushGateway.Outcome;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RoutingPushGatewayTest {

  private static final PushNotification N =
      new PushNotification(DeviceAddress.of("bob", "phone"), "k", 1, null, Duration.ofMinutes(1));

  @Test
  @DisplayName("each target goes to the gateway of its platform; an unknown platform is FAILED")
  void routes() throws Exception {
    VapidKeys keys = VapidKeys.generate();
    WebPushGateway web = WebPushGateway.builder(keys, "mailto:a@b.test").build();
    RecordingPushGateway other = new RecordingPushGateway();
    RoutingPushGateway routing = RoutingPushGateway.of(web);
    assertThat(routing.supports(Platform.WEB_PUSH)).isTrue();
    assertThat(routing.supports(Platform.FCM)).isFalse();
    assertThat(routing.send(new PushTarget(Platform.FCM, "t", Map.of()), N).get().outcome())
        .isEqualTo(Outcome.FAILED);

    RoutingPushGateway both = RoutingPushGateway.of(web, other);
    assertThat(both.send(new PushTarget(Platform.APNS, "a", Map.of()), N).get().outcome())
        .isEqualTo(Outcome.ACCEPTED);
    assertThat(other.sent()).hasSize(1);
    both.close();
  }
}
