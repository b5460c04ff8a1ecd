package io.messagingkit.broker.kafka;

import io.messagingkit.core.port.MessageBus;
import io.messagingkit.tck.MessageBusContract;
import io.messagingkit.tck.kafka.KafkaBrokerExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bus contract on a real Kafka broker; each test gets its own topics and group. */
class KafkaMessageBusContractIT extends MessageBusContract {

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  /** One name per test instance (JUnit makes one per test): the buses of a test share it. */
  private String name;

  @Override
  protected MessageBus createBus() {
    if (name == null) {
      name = KAFKA.uniqueName("contract");
    }
    return KafkaMessageBus.builder(KAFKA.bootstrapServers())
        .inboundTopic(name + ".inbound")
        .deliveryTopic(name + ".deliveries")
        .consumerGroup(name)
        .inboundPartitions(4)
        .deliveryPartitions(4)
        .retryBackoff(Duration.ofMillis(20))
        .build();
  }
}
