package io.messagingkit.store.redis;

import java.util.Set;
import java.util.UUID;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The Redis on localhost that the tests use, and key-prefix hygiene so parallel runs never meet.
 */
final class LocalRedis {

  static final String HOST = System.getProperty("redis.host", "127.0.0.1");
  static final int PORT = Integer.getInteger("redis.port", 6379);

  private LocalRedis() {}

  /** A key prefix no other test (or test JVM) uses. */
  static String freshPrefix() {
    return "mk-test:" + UUID.randomUUID().toString().substring(0, 12) + ":";
  }

  /** Deletes every key under {@code prefix}. */
  static void deleteKeys(String prefix) {
    try (RedisClient redis = RedisClient.create(HOST, PORT)) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page =
            redis.scan(cursor, new ScanParams().match(prefix + "*").count(500));
        if (!page.getResult().isEmpty()) {
          redis.del(page.getResult().toArray(new String[0]));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
  }

  static Set<String> keys(String prefix) {
    try (RedisClient redis = RedisClient.create(HOST, PORT)) {
      return redis.keys(prefix + "*");
    }
  }
}
