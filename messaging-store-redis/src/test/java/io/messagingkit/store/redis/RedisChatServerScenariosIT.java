package io.messagingkit.store.redis;

import io.messagingkit.core.ChatServer;
import io.messagingkit.tck.ChatServerScenarios;
import org.junit.jupiter.api.AfterEach;

/** The whole-server scenarios with Redis as the session registry. */
class RedisChatServerScenariosIT extends ChatServerScenarios {

  private final String prefix = LocalRedis.freshPrefix();
  private RedisSessionRegistry registry;

  @Override
  protected ChatServer.Builder configure(ChatServer.Builder builder) {
    registry =
        RedisSessionRegistry.builder(LocalRedis.HOST, LocalRedis.PORT).keyPrefix(prefix).build();
    return builder.sessionRegistry(registry);
  }

  @AfterEach
  void closeRegistry() {
    registry.close();
    LocalRedis.deleteKeys(prefix);
  }
}
