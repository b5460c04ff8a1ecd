package io.messagingkit.core.port;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.ServerEvent;
import java.util.Objects;

/**
 * Something for one connected device, sent to the chat server that holds it.
 *
 * @param target the device
 * @param event what to hand to it
 */
public record Delivery(DeviceAddress target, ServerEvent event) {
  public Delivery {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(event, "event");
  }
}
