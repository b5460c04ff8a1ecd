package io.messagingkit.store.jdbc;

import java.sql.SQLException;
import java.time.YearMonth;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;
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

  @Override
  OptionalLong insertIfAbsentReturning(
      Handle handle,
      String table,
      String conflictColumns,
      Map<String, Object> values,
      String returning) {
    Query query =
        handle.createQuery(
            insertSql(table, values)
                + " ON CONFLICT ("
                + conflictColumns
                + ") DO NOTHING RETURNING "
                + returning);
    values.forEach(query::bind);
    return query.mapTo(Long.class).findOne().map(OptionalLong::of).orElse(OptionalLong.empty());
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

  /**
   * One statement for the whole batch: a join with the unnested keys, RETURNING what it removed.
   */
  @Override
  boolean[] deleteQueueEntries(
      Handle handle,
      String table,
      List<String> users,
      List<String> devices,
      List<String> senders,
      List<String> ids) {
    Set<List<String>> removed = new HashSet<>();
    handle
        .createQuery(
            "DELETE FROM "
                + table
                + " t USING unnest(:u, :d, :s, :m) AS k(u, d, s, m)"
                + " WHERE t.user_id = k.u COLLATE \"C\" AND t.device_id = k.d COLLATE \"C\""
                + " AND t.from_user_id = k.s COLLATE \"C\" AND t.message_id = k.m COLLATE \"C\""
                + " RETURNING t.user_id, t.device_id, t.from_user_id, t.message_id")
        .bindArray("u", String.class, users)
        .bindArray("d", String.class, devices)
        .bindArray("s", String.class, senders)
        .bindArray("m", String.class, ids)
        .map(
            (rs, ctx) ->
                List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
        .forEach(removed::add);
    boolean[] result = new boolean[users.size()];
    for (int i = 0; i < result.length; i++) {
      // a key listed twice was removed once: report it for its first occurrence only
      result[i] = removed.remove(List.of(users.get(i), devices.get(i), senders.get(i), ids.get(i)));
    }
    return result;
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
}
