package io.messagingkit.store.jdbc;

import java.sql.SQLException;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PostgreSQL (and Aurora PostgreSQL): ON CONFLICT, upsert RETURNING, monthly partitions. */
final class PostgresDialect extends Dialect {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresDialect.class);

  @Override
  JdbcDatabase database() {
    return JdbcDatabase.POSTGRESQL;
  }

  @Override
  String folder() {
    return "postgresql";
  }

  @Override
  boolean isDuplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  @Override
  boolean insertIfAbsent(
      Handle handle, String table, String conflictColumns, Map<String, Object> values) {
    Update update =
        handle.createUpdate(
            insertSql(table, values) + " ON CONFLICT (" + conflictColumns + ") DO NOTHING");
    values.forEach(update::bind);
    return update.execute() > 0;
  }

  /** One {@code INSERT ... VALUES (...), ... ON CONFLICT DO NOTHING RETURNING}. */
  @Override
  Map<List<String>, Long> insertDedupeKeys(
      Handle handle,
      String table,
      List<String> senders,
      List<String> ids,
      List<@Nullable String> toUsers,
      List<@Nullable String> toGroups,
      List<Long> seconds,
      List<Integer> nanos) {
    StringJoiner rows = new StringJoiner(", ");
    for (int i = 0; i < senders.size(); i++) {
      rows.add(
          "(:s"
              + i
              + ", :m"
              + i
              + ", :tu"
              + i
              + ", :tg"
              + i
              + ", :a"
              + i
              + ", :n"
              + i
              + ", FALSE)");
    }
    Query insert =
        handle.createQuery(
            "INSERT INTO "
                + table
                + " (sender_id, message_id, to_user_id, to_group_id, accepted_s, accepted_n,"
                + " completed) VALUES "
                + rows
                + " ON CONFLICT (sender_id, message_id) DO NOTHING"
                + " RETURNING sender_id, message_id, seq");
    for (int i = 0; i < senders.size(); i++) {
      insert
          .bind("s" + i, senders.get(i))
          .bind("m" + i, ids.get(i))
          .bind("tu" + i, toUsers.get(i))
          .bind("tg" + i, toGroups.get(i))
          .bind("a" + i, (long) seconds.get(i))
          .bind("n" + i, (int) nanos.get(i));
    }
    Map<List<String>, Long> inserted = new HashMap<>();
    insert
        .map((rs, ctx) -> Map.entry(List.of(rs.getString(1), rs.getString(2)), rs.getLong(3)))
        .forEach(e -> inserted.put(e.getKey(), e.getValue()));
    return inserted;
  }

  @Override
  boolean insertReturns() {
    return true;
  }

  @Override
  long reserveSequences(Handle handle, String counterTable, String user, String device, int count) {
    return handle
        .createQuery(
            "INSERT INTO "
                + counterTable
                + " AS c (user_id, device_id, last_seq) VALUES (:u, :d, :n)"
                + " ON CONFLICT (user_id, device_id) DO UPDATE SET last_seq = c.last_seq + :n"
                + " RETURNING last_seq")
        .bind("u", user)
        .bind("d", device)
        .bind("n", (long) count)
        .mapTo(Long.class)
        .one();
  }

  @Override
  void ensureArchivePartitions(
      Handle handle, String schemaPrefix, String table, YearMonth from, YearMonth to) {
    for (YearMonth month = from; !month.isAfter(to); month = month.plusMonths(1)) {
      String partition = partitionName(table, month);
      String sql =
          String.format(
              Locale.ROOT,
              "CREATE TABLE IF NOT EXISTS %s%s PARTITION OF %s%s"
                  + " FOR VALUES FROM ('%s-01 00:00:00') TO ('%s-01 00:00:00')",
              schemaPrefix,
              partition,
              schemaPrefix,
              table,
              month,
              month.plusMonths(1));
      try {
        handle.execute(sql);
      } catch (RuntimeException e) {
        SQLException cause = JdbcErrors.sqlCause(e);
        String state = cause == null ? null : cause.getSQLState();
        if ("23505".equals(state) || "42P07".equals(state)) {
          continue; // another node created it at the same moment
        }
        if ("23514".equals(state)) {
          // rows of that month already sit in the default partition: they stay there, still found
          LOG.warn(
              "archive partition {} not created: the default partition holds rows of {}",
              partition,
              month);
          continue;
        }
        throw e;
      }
    }
  }

  static String partitionName(String table, YearMonth month) {
    return String.format(
        Locale.ROOT, "%s_y%04dm%02d", table, month.getYear(), month.getMonthValue());
  }

  /** One statement: DELETE ... RETURNING over the primary key range. */
  @Override
  List<RemovedEntry> deleteQueueUpTo(
      Handle handle, String table, String user, String device, long upTo) {
    return deleteReturning(
        handle,
        "DELETE FROM "
            + table
            + " WHERE user_id = :u AND device_id = :d AND seq <= :s"
            + " RETURNING seq, from_user_id, message_id",
        user,
        device,
        upTo);
  }
}
