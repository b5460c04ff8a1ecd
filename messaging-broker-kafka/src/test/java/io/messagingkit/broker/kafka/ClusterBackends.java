package io.messagingkit.broker.kafka;

import io.messagingkit.store.jdbc.JdbcStores;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The local PostgreSQL and Redis the cluster tests share with the Kafka broker: one JDBC schema of
 * its own per JVM (dropped at exit) and a fresh Redis key prefix per test.
 */
final class ClusterBackends {

  static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String REDIS_HOST = System.getProperty("redis.host", "127.0.0.1");
  static final int REDIS_PORT = Integer.getInteger("redis.port", 6379);

  private ClusterBackends() {}

  /** The stores on this JVM's own PostgreSQL schema. */
  static JdbcStores stores() {
    return Jdbc.STORES;
  }

  /** A Redis key prefix no other test uses. */
  static String freshRedisPrefix() {
    return "mk-kafka-test:" + UUID.randomUUID().toString().substring(0, 12) + ":";
  }

  /** Deletes every Redis key under {@code prefix}. */
  static void deleteRedisKeys(String prefix) {
    try (RedisClient redis = RedisClient.create(REDIS_HOST, REDIS_PORT)) {
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

  private static final class Jdbc {
    static final JdbcStores STORES = create();

    private static JdbcStores create() {
      String schema = "mk_kafka_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
      JdbcStores stores =
          JdbcStores.builder()
              .jdbcUrl(POSTGRES_URL)
              .username("postgres")
              .schema(schema)
              .maximumPoolSize(16)
              .connectionTimeout(Duration.ofSeconds(20))
              .build();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try (Connection c = stores.dataSource().getConnection();
                        Statement s = c.createStatement()) {
                      s.execute("DROP SCHEMA " + schema + " CASCADE");
                    } catch (SQLException e) {
                      System.err.println("could not drop test schema " + schema + ": " + e);
                    } finally {
                      stores.close();
                    }
                  }));
      return stores;
    }
  }
}
