package io.messagingkit.broker.kafka;

import io.messagingkit.core.ChatServer;
import io.messagingkit.store.jdbc.JdbcStores;
import io.messagingkit.store.redis.RedisSessionRegistry;
import io.messagingkit.tck.ChatServerScenarios;
import io.messagingkit.tck.kafka.KafkaBrokerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole-server scenarios on the clustered deployment's backends: the Kafka bus, the Redis
 * session registry and every JDBC store on PostgreSQL.
 */
class KafkaChatServerScenariosIT extends ChatServerScenarios {

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private final String prefix = ClusterBackends.freshRedisPrefix();
  private RedisSessionRegistry registry;
  private KafkaMessageBus bus;

  @Override
  protected ChatServer.Builder configure(ChatServer.Builder builder) {
    String name = KAFKA.uniqueName("scenario");
    bus =
        KafkaMessageBus.builder(KAFKA.bootstrapServers())
            .inboundTopic(name + ".inbound")
            .deliveryTopic(name + ".deliveries")
            .consumerGroup(name)
            .inboundPartitions(4)
            .deliveryPartitions(2)
            .build();
    registry =
        RedisSessionRegistry.builder(ClusterBackends.REDIS_HOST, ClusterBackends.REDIS_PORT)
            .keyPrefix(prefix)
            .build();
    JdbcStores stores = ClusterBackends.stores();
    return builder
        .messageBus(bus)
        .sessionRegistry(registry)
        .offlineStore(stores.offlineStore())
        .idempotencyStore(stores.idempotencyStore())
        .groupDirectory(stores.groupDirectory())
        .messageArchive(stores.messageArchive())
        .deviceDirectory(stores.deviceDirectory())
        .contactGraph(stores.contactGraph());
  }

  @AfterEach
  void closeBackends() {
    bus.close();
    registry.close();
    ClusterBackends.deleteRedisKeys(prefix);
  }
}
