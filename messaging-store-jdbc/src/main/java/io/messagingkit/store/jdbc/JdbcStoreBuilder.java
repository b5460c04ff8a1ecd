package io.messagingkit.store.jdbc;

import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The settings every JDBC store shares: the data source, the database family and the schema. Each
 * store's {@code Builder} extends it with its own settings.
 *
 * @param <B> the concrete builder
 * @param <T> the store it builds
 */
public abstract class JdbcStoreBuilder<B extends JdbcStoreBuilder<B, T>, T> {

  private final DataSource dataSource;
  private @Nullable JdbcDatabase database;
  private @Nullable String schema;

  JdbcStoreBuilder(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** The database family; detected from the connection when not set. */
  public B database(JdbcDatabase database) {
    this.database = database;
    return self();
  }

  /** The schema (MySQL: database) holding the tables; the connection's default when not set. */
  public B schema(@Nullable String schema) {
    this.schema = schema;
    return self();
  }

  /** Builds the store; fails fast when the database cannot be reached or identified. */
  public abstract T build();

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  Db db() {
    return Db.create(dataSource, database, schema);
  }
}
