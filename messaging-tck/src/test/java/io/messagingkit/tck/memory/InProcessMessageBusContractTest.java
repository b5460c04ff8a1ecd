package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InProcessMessageBus;
import io.messagingkit.core.port.MessageBus;
import io.messagingkit.tck.MessageBusContract;
import java.time.Duration;

/** The bus contract on the in-process bus (one process, so {@link #another()} is the same bus). */
class InProcessMessageBusContractTest extends MessageBusContract {

  @Override
  protected MessageBus createBus() {
    return InProcessMessageBus.builder().retryBackoff(Duration.ofMillis(1)).build();
  }

  @Override
  protected MessageBus another() {
    return bus;
  }
}
