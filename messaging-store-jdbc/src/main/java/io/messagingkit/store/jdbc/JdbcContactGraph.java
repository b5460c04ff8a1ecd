package io.messagingkit.store.jdbc;

import io.messagingkit.core.UserId;
import io.messagingkit.core.port.ContactGraph;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ContactGraph} in a relational database: table {@code mk_contact} holds both directions
 * of every link, written in one transaction, so {@link #contactsOf} is one primary-key range read.
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcContactGraph implements ContactGraph {
  private final Db db;
  private final String table;

  JdbcContactGraph(Db db) {
    this.db = db;
    this.table = db.table("mk_contact");
  }

  /** A builder on {@code dataSource}, whose schema must have been migrated. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  @Override
  public void link(UserId a, UserId b) {
    if (a.equals(b)) {
      throw new IllegalArgumentException("a user is not its own contact: " + a);
    }
    // lower id first in every transaction: two links of one pair never deadlock
    UserId low = a.compareTo(b) < 0 ? a : b;
    UserId high = low == a ? b : a;
    db.tx(
        "linking " + a + " and " + b,
        h -> {
          for (UserId[] pair : new UserId[][] {{low, high}, {high, low}}) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("user_id", pair[0].value());
            row.put("contact_id", pair[1].value());
            db.dialect.insertIfAbsent(h, table, "user_id, contact_id", row);
          }
          return null;
        });
  }

  @Override
  public Set<UserId> contactsOf(UserId user) {
    return db.call(
        "listing the contacts of " + user,
        h ->
            h.createQuery("SELECT contact_id FROM " + table + " WHERE user_id = :u")
                .bind("u", user.value())
                .map((rs, ctx) -> UserId.of(rs.getString(1)))
                .collect(Collectors.toUnmodifiableSet()));
  }

  /** Builds a {@link JdbcContactGraph}. */
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable JdbcDatabase database;
    private @Nullable String schema;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** The database family; detected from the connection when not set. */
    public Builder database(JdbcDatabase database) {
      this.database = database;
      return this;
    }

    /** The schema (MySQL: database) holding the tables; the connection's default when not set. */
    public Builder schema(@Nullable String schema) {
      this.schema = schema;
      return this;
    }

    public JdbcContactGraph build() {
      return new JdbcContactGraph(Db.create(dataSource, database, schema));
    }
  }
}
