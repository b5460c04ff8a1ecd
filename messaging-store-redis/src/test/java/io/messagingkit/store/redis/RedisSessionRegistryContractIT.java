package io.messagingkit.store.redis;

import io.messagingkit.core.port.SessionRegistry;
import io.messagingkit.tck.MutableClock;
import io.messagingkit.tck.SessionRegistryContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

class RedisSessionRegistryContractIT extends SessionRegistryContract {

  private final String prefix = LocalRedis.freshPrefix();

  @Override
  protected SessionRegistry createRegistry(MutableClock clock, Duration grace) {
    return RedisSessionRegistry.builder(LocalRedis.HOST, LocalRedis.PORT)
        .keyPrefix(prefix)
        .clock(clock)
        .grace(grace)
        .build();
  }

  @AfterEach
  void deleteKeys() {
    LocalRedis.deleteKeys(prefix);
  }
}
