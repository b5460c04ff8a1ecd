package io.messagingkit.store.jdbc;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings of {@link JdbcStores}, immutable. Start from {@link #forUrl(String)} or use {@link
 * JdbcStores#builder()}.
 *
 * @param jdbcUrl where to connect (ignored when a {@link javax.sql.DataSource} is given); {@code
 *     jdbc:postgresql:}, {@code jdbc:mysql:}, {@code jdbc:mariadb:} or {@code jdbc:h2:}
 * @param username the database user, or null to take it from the URL
 * @param password the password, or null
 * @param schema the schema (MySQL: database) holding the tables, created by the migration if
 *     missing; null for the connection's default schema
 * @param migrate whether to apply the schema migrations shipped in this jar at start
 * @param maximumPoolSize the most connections the pool opens (1 to 1000; default 10)
 * @param connectionTimeout how long a call waits for a connection before it fails with {@link
 *     io.messagingkit.core.UnavailableException} (250 ms to 10 minutes; default 5 s)
 * @param partitionMonthsAhead PostgreSQL: monthly archive partitions kept ready beyond the current
 *     month (0 to 24; default 2)
 * @param clock the time source for partition upkeep
 * @param allowNonDurableCommits whether to start on a database whose settings let a commit return
 *     before it is durable (H2 {@code WRITE_DELAY} other than 0, PostgreSQL {@code fsync} or {@code
 *     synchronous_commit} off, MySQL {@code innodb_flush_log_at_trx_commit} other than 1): false
 *     (the default) refuses to start, naming the setting; true starts and logs a warning. A message
 *     is SENT_ACKed when its transaction commits, so such settings can lose acknowledged messages
 *     (see docs/guarantees.md)
 */
public record JdbcStoreConfig(
    @Nullable String jdbcUrl,
    @Nullable String username,
    @Nullable String password,
    @Nullable String schema,
    boolean migrate,
    int maximumPoolSize,
    Duration connectionTimeout,
    int partitionMonthsAhead,
    Clock clock,
    boolean allowNonDurableCommits) {

  /** Default pool size. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** Default wait for a connection. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  /** Default monthly partitions kept ready ahead. */
  public static final int DEFAULT_PARTITION_MONTHS_AHEAD = 2;

  public JdbcStoreConfig {
    if (jdbcUrl != null) {
      CommitDurability.durableUrl(jdbcUrl, allowNonDurableCommits);
    }
    Db.checkSchema(schema);
    if (maximumPoolSize < 1 || maximumPoolSize > 1000) {
      throw new IllegalArgumentException("maximumPoolSize must be 1..1000, got " + maximumPoolSize);
    }
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    if (connectionTimeout.compareTo(Duration.ofMillis(250)) < 0
        || connectionTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException(
          "connectionTimeout must be 250 ms..10 min, got " + connectionTimeout);
    }
    checkMonthsAhead(partitionMonthsAhead);
    Objects.requireNonNull(clock, "clock");
  }

  /** The defaults for {@code jdbcUrl}: migrate at start, default schema, 10 connections. */
  public static JdbcStoreConfig forUrl(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    return new JdbcStoreConfig(
        jdbcUrl,
        null,
        null,
        null,
        true,
        DEFAULT_POOL_SIZE,
        DEFAULT_CONNECTION_TIMEOUT,
        DEFAULT_PARTITION_MONTHS_AHEAD,
        Clock.systemUTC(),
        false);
  }

  static void checkMonthsAhead(int months) {
    if (months < 0 || months > 24) {
      throw new IllegalArgumentException("partitionMonthsAhead must be 0..24, got " + months);
    }
  }

  @Override
  public String toString() {
    return "JdbcStoreConfig[jdbcUrl="
        + jdbcUrl
        + ", username="
        + username
        + ", password="
        + (password == null ? "null" : "****")
        + ", schema="
        + schema
        + ", migrate="
        + migrate
        + ", maximumPoolSize="
        + maximumPoolSize
        + ", connectionTimeout="
        + connectionTimeout
        + ", partitionMonthsAhead="
        + partitionMonthsAhead
        + ", clock="
        + clock
        + ", allowNonDurableCommits="
        + allowNonDurableCommits
        + "]";
  }
}
