package io.messagingkit.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * Every JDBC store on one connection pool, with the schema migrated: the entry point of this
 * module.
 *
 * <pre>{@code
 * try (JdbcStores stores = JdbcStores.fromUrl("jdbc:h2:file:./data/chat")) {
 *   ChatServer server = ChatServer.builder()
 *       .offlineStore(stores.offlineStore())
 *       .idempotencyStore(stores.idempotencyStore())
 *       .groupDirectory(stores.groupDirectory())
 *       .messageArchive(stores.messageArchive())
 *       .deviceDirectory(stores.deviceDirectory())
 *       .contactGraph(stores.contactGraph())
 *       .build();
 * }
 * }</pre>
 *
 * <p>Given a JDBC URL it opens a HikariCP pool (READ COMMITTED, closed by {@link #close()}); given
 * a {@link DataSource} it uses it as is and leaves closing it to the caller. With {@code migrate}
 * on, it applies the Flyway migrations shipped in this jar ({@code db/migration/postgresql}, {@code
 * mysql} or {@code h2}; history table {@code mk_schema_history}) and prepares the archive
 * partitions before returning.
 *
 * <p>A message is SENT_ACKed when its transaction commits, so commits must be durable: an H2 URL
 * gets {@code ;WRITE_DELAY=0} (H2 otherwise keeps commits in memory for half a second), and at
 * start the database's settings are checked (PostgreSQL {@code fsync} and {@code
 * synchronous_commit}, MySQL {@code innodb_flush_log_at_trx_commit} and {@code sync_binlog}, H2
 * {@code WRITE_DELAY}): a setting that lets a commit return before it is durable stops the start
 * with a message naming it, unless {@link Builder#allowNonDurableCommits(boolean)} says to run
 * anyway (then it is logged at WARN and listed by {@link #durabilityWarnings()}).
 */
public final class JdbcStores implements AutoCloseable {
  private final JdbcStoreConfig config;
  private final DataSource dataSource;
  private final @Nullable HikariDataSource ownedPool;
  private final Dialect dialect;
  private final JdbcOfflineStore offlineStore;
  private final JdbcIdempotencyStore idempotencyStore;
  private final JdbcGroupDirectory groupDirectory;
  private final JdbcMessageArchive messageArchive;
  private final JdbcDeviceDirectory deviceDirectory;
  private final JdbcContactGraph contactGraph;
  private final List<String> durabilityWarnings;

  private JdbcStores(
      JdbcStoreConfig config,
      DataSource dataSource,
      @Nullable HikariDataSource ownedPool,
      Dialect dialect,
      List<String> durabilityWarnings) {
    this.config = config;
    this.durabilityWarnings = List.copyOf(durabilityWarnings);
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.dialect = dialect;
    Db db = new Db(dataSource, dialect, config.schema());
    this.offlineStore = new JdbcOfflineStore(db);
    this.idempotencyStore = new JdbcIdempotencyStore(db);
    this.groupDirectory = new JdbcGroupDirectory(db);
    this.messageArchive = new JdbcMessageArchive(db, config.clock(), config.partitionMonthsAhead());
    this.deviceDirectory = new JdbcDeviceDirectory(db);
    this.contactGraph = new JdbcContactGraph(db);
  }

  /**
   * The stores on {@code jdbcUrl} with every default (credentials in the URL or none, schema
   * migrated at start). For the embedded default: {@code
   * JdbcStores.fromUrl("jdbc:h2:file:./data/chat")}.
   *
   * @throws io.messagingkit.core.UnavailableException if the database cannot be reached
   */
  public static JdbcStores fromUrl(String jdbcUrl) {
    return create(JdbcStoreConfig.forUrl(jdbcUrl));
  }

  /** The stores on a new pool as {@code config} says ({@code jdbcUrl} must be set). */
  public static JdbcStores create(JdbcStoreConfig config) {
    String url = config.jdbcUrl();
    if (url == null) {
      throw new IllegalArgumentException("jdbcUrl must be set when no dataSource is given");
    }
    HikariDataSource pool =
        new HikariDataSource(
            hikari(config, CommitDurability.durableUrl(url, config.allowNonDurableCommits())));
    try {
      return start(config, pool, pool, Dialect.of(JdbcDatabase.fromJdbcUrl(url)));
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /**
   * The stores on the caller's {@code dataSource} (its {@code jdbcUrl} setting is ignored; the
   * database family is read from the connection). The caller closes the data source.
   */
  public static JdbcStores create(DataSource dataSource, JdbcStoreConfig config) {
    Objects.requireNonNull(dataSource, "dataSource");
    Dialect dialect = Dialect.of(Db.detect(dataSource));
    return start(config, dataSource, null, dialect);
  }

  /** A builder of the settings. */
  public static Builder builder() {
    return new Builder();
  }

  private static JdbcStores start(
      JdbcStoreConfig config,
      DataSource dataSource,
      @Nullable HikariDataSource owned,
      Dialect dialect) {
    List<String> warnings =
        CommitDurability.check(dataSource, dialect.database(), config.allowNonDurableCommits());
    if (config.migrate()) {
      migrate(dataSource, dialect, config.schema());
    }
    JdbcStores stores = new JdbcStores(config, dataSource, owned, dialect, warnings);
    if (config.migrate()) {
      stores.messageArchive.ensurePartitions();
    }
    return stores;
  }

  private static HikariConfig hikari(JdbcStoreConfig config, String url) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("messagingkit-jdbc");
    hc.setJdbcUrl(url);
    if (config.username() != null) {
      hc.setUsername(config.username());
    }
    if (config.password() != null) {
      hc.setPassword(config.password());
    }
    hc.setMaximumPoolSize(config.maximumPoolSize());
    hc.setMinimumIdle(Math.min(2, config.maximumPoolSize()));
    hc.setConnectionTimeout(config.connectionTimeout().toMillis());
    hc.setValidationTimeout(Math.max(250, config.connectionTimeout().toMillis() / 2));
    hc.setInitializationFailTimeout(-1); // start even when the database is down; calls then fail
    hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    if (JdbcDatabase.fromJdbcUrl(url) == JdbcDatabase.POSTGRESQL) {
      // batched inserts (offline enqueue, archive) as multi-row statements
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    return hc;
  }

  static void migrate(DataSource dataSource, Dialect dialect, @Nullable String schema) {
    try {
      var flyway =
          Flyway.configure(JdbcStores.class.getClassLoader())
              .dataSource(dataSource)
              .locations(dialect.migrationLocation())
              .table("mk_schema_history")
              .baselineOnMigrate(true)
              .baselineVersion("0")
              .failOnMissingLocations(true);
      if (schema != null) {
        flyway.schemas(schema).defaultSchema(schema).createSchemas(true);
      }
      flyway.load().migrate();
    } catch (RuntimeException e) {
      throw JdbcErrors.translate(
          "migrating the messagingkit schema" + (schema == null ? "" : " in " + schema), e);
    }
  }

  /** The settings these stores run with. */
  public JdbcStoreConfig config() {
    return config;
  }

  /** The database family in use. */
  public JdbcDatabase database() {
    return dialect.database();
  }

  /**
   * The database settings found at start that let a commit return before it is durable (empty
   * unless {@link Builder#allowNonDurableCommits(boolean)} let the stores start despite them).
   */
  public List<String> durabilityWarnings() {
    return durabilityWarnings;
  }

  /** The data source all stores share (the pool this object opened, or the caller's). */
  public DataSource dataSource() {
    return dataSource;
  }

  public JdbcOfflineStore offlineStore() {
    return offlineStore;
  }

  public JdbcIdempotencyStore idempotencyStore() {
    return idempotencyStore;
  }

  public JdbcGroupDirectory groupDirectory() {
    return groupDirectory;
  }

  public JdbcMessageArchive messageArchive() {
    return messageArchive;
  }

  public JdbcDeviceDirectory deviceDirectory() {
    return deviceDirectory;
  }

  public JdbcContactGraph contactGraph() {
    return contactGraph;
  }

  /** Closes the pool this object opened; a caller's data source is left open. */
  @Override
  public void close() {
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  /** Builds {@link JdbcStores}; {@link #jdbcUrl} or {@link #dataSource} is required. */
  public static final class Builder {
    private @Nullable String jdbcUrl;
    private @Nullable DataSource dataSource;
    private @Nullable String username;
    private @Nullable String password;
    private @Nullable String schema;
    private boolean migrate = true;
    private int maximumPoolSize = JdbcStoreConfig.DEFAULT_POOL_SIZE;
    private Duration connectionTimeout = JdbcStoreConfig.DEFAULT_CONNECTION_TIMEOUT;
    private int partitionMonthsAhead = JdbcStoreConfig.DEFAULT_PARTITION_MONTHS_AHEAD;
    private Clock clock = Clock.systemUTC();
    private boolean allowNonDurableCommits;

    private Builder() {}

    /** Where to connect; a pool is opened and closed with the stores. */
    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /** A data source to use instead of opening a pool; closing it is the caller's job. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    public Builder username(@Nullable String username) {
      this.username = username;
      return this;
    }

    public Builder password(@Nullable String password) {
      this.password = password;
      return this;
    }

    /** The schema (MySQL: database) for the tables, created if missing; default: none. */
    public Builder schema(@Nullable String schema) {
      this.schema = schema;
      return this;
    }

    /** Whether to apply the shipped migrations at start (default true). */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    public Builder maximumPoolSize(int maximumPoolSize) {
      this.maximumPoolSize = maximumPoolSize;
      return this;
    }

    /** How long a call waits for a connection before failing as unavailable (default 5 s). */
    public Builder connectionTimeout(Duration connectionTimeout) {
      this.connectionTimeout = connectionTimeout;
      return this;
    }

    public Builder partitionMonthsAhead(int months) {
      this.partitionMonthsAhead = months;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Whether to start on a database whose settings let a commit return before it is durable
     * (default false: refuse, naming the setting). With true such settings are logged at WARN and
     * acknowledged messages can be lost when the process or the database server crashes.
     */
    public Builder allowNonDurableCommits(boolean allow) {
      this.allowNonDurableCommits = allow;
      return this;
    }

    /** The settings as a record. */
    public JdbcStoreConfig config() {
      if (jdbcUrl == null && dataSource == null) {
        throw new IllegalStateException("jdbcUrl or dataSource must be set");
      }
      if (jdbcUrl != null && dataSource != null) {
        throw new IllegalStateException("set jdbcUrl or dataSource, not both");
      }
      return new JdbcStoreConfig(
          jdbcUrl,
          username,
          password,
          schema,
          migrate,
          maximumPoolSize,
          connectionTimeout,
          partitionMonthsAhead,
          clock,
          allowNonDurableCommits);
    }

    /**
     * Opens (or takes) the data source, migrates and builds every store.
     *
     * @throws io.messagingkit.core.UnavailableException if migrating fails because the database
     *     cannot be reached
     */
    public JdbcStores build() {
      JdbcStoreConfig config = config();
      return dataSource != null ? create(dataSource, config) : create(config);
    }
  }
}
