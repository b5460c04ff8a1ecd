package io.messagingkit.store.jdbc;

import io.messagingkit.core.UserId;
import io.messagingkit.core.port.ContactGraph;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A {@link ContactGraph} in a relational database: table {@code mk_contact} holds one row per
 * (writer, addressee), so {@link #contactsOf} is one primary-key range read.
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
  public void link(UserId from, UserId to) {
    if (from.equals(to)) {
      throw new IllegalArgumentException("a user is not its own contact: " + from);
    }
    db.call(
        "linking " + from + " to " + to,
        h -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("user_id", from.value());
          row.put("contact_id", to.value());
          return db.dialect.insertIfAbsent(h, table, "user_id, contact_id", row);
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
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcContactGraph> {

    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    @Override
    public JdbcContactGraph build() {
      return new JdbcContactGraph(db());
    }
  }
}
