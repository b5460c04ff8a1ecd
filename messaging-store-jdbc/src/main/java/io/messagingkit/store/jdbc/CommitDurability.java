package io.messagingkit.store.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps "committed" meaning "written where a killed process cannot take it back", because a message
 * is SENT_ACKed once its transaction commits. Not API.
 *
 * <ul>
 *   <li>H2 keeps committed transactions in memory for {@code WRITE_DELAY} ms (500 by default) and
 *       writes them from a background thread: a SIGKILL in that window lost acknowledged messages
 *       (86 of 1,499 over five kills in {@code ServerKillIT}). An H2 URL gets {@code
 *       ;WRITE_DELAY=0} (each commit is written to the file before it returns); a URL that asks for
 *       another delay is refused.
 *   <li>PostgreSQL with {@code fsync} or {@code synchronous_commit} off, and MySQL/MariaDB with
 *       {@code innodb_flush_log_at_trx_commit} other than 1 (or {@code sync_binlog} other than 1
 *       with the binary log on), report a commit before it is on disk: {@link #problems} names such
 *       settings and {@link JdbcStores} refuses to start on them unless told otherwise.
 * </ul>
 */
final class CommitDurability {
  private static final Logger LOG = LoggerFactory.getLogger(CommitDurability.class);
  private static final Pattern WRITE_DELAY =
      Pattern.compile(";\\s*WRITE_DELAY\\s*=\\s*([^;]*)", Pattern.CASE_INSENSITIVE);

  private CommitDurability() {}

  /**
   * The URL to open: an H2 URL of a persistent database gets {@code ;WRITE_DELAY=0}; other URLs are
   * returned as they are.
   *
   * @throws IllegalArgumentException if an H2 URL sets a non-zero {@code WRITE_DELAY} and {@code
   *     allowNonDurable} is false
   */
  static String durableUrl(String jdbcUrl, boolean allowNonDurable) {
    if (JdbcDatabase.fromJdbcUrl(jdbcUrl) != JdbcDatabase.H2 || isH2InMemory(jdbcUrl)) {
      return jdbcUrl;
    }
    Matcher m = WRITE_DELAY.matcher(jdbcUrl);
    if (!m.find()) {
      return jdbcUrl + ";WRITE_DELAY=0";
    }
    String delay = m.group(1).trim();
    if (!delay.equals("0") && !allowNonDurable) {
      throw new IllegalArgumentException(
          "jdbcUrl sets WRITE_DELAY="
              + delay
              + ": H2 would keep committed transactions in memory for up to that many ms, so a"
              + " killed process loses messages already acknowledged to their senders. Remove the"
              + " setting (messagingkit sets WRITE_DELAY=0) or set allowNonDurableCommits(true) to"
              + " accept the loss");
    }
    return jdbcUrl;
  }

  /** Whether an H2 URL names an in-memory database ({@code mem:}, also behind {@code tcp://}). */
  static boolean isH2InMemory(String jdbcUrl) {
    String rest = jdbcUrl.substring("jdbc:h2:".length()).toLowerCase(Locale.ROOT);
    if (rest.startsWith("tcp://") || rest.startsWith("ssl://")) {
      int slash = rest.indexOf('/', rest.indexOf("//") + 2);
      rest = slash < 0 ? "" : rest.substring(slash + 1);
    }
    return rest.startsWith("mem:");
  }

  /**
   * The settings of the connected database that let a commit return before it is durable, each
   * described with the setting's name, its value and what to set instead; empty when there are
   * none.
   */
  static List<String> problems(Connection c, JdbcDatabase database) throws SQLException {
    List<String> problems = new ArrayList<>();
    switch (database) {
      case POSTGRESQL -> {
        String fsync = single(c, "SHOW fsync");
        if (!"on".equalsIgnoreCase(fsync)) {
          problems.add(
              "PostgreSQL fsync = "
                  + fsync
                  + ": commits are not forced to disk and a crash of the database server can"
                  + " lose or corrupt them; set fsync = on");
        }
        String sync = single(c, "SHOW synchronous_commit");
        if ("off".equalsIgnoreCase(sync)) {
          problems.add(
              "PostgreSQL synchronous_commit = off: a commit returns before its WAL is flushed,"
                  + " so a crash of the database server loses the last acknowledged messages; set"
                  + " synchronous_commit = on (or local, remote_write, remote_apply) for this"
                  + " user or database");
        }
      }
      case MYSQL -> {
        String flush = single(c, "SELECT @@innodb_flush_log_at_trx_commit");
        if (!"1".equals(flush)) {
          problems.add(
              "innodb_flush_log_at_trx_commit = "
                  + flush
                  + ": InnoDB flushes its log about once a second, so a crash of the database"
                  + " server (2: of its machine) loses the last acknowledged messages; set it"
                  + " to 1");
        }
        String logBin = single(c, "SELECT @@log_bin");
        String syncBinlog = single(c, "SELECT @@sync_binlog");
        if ("1".equals(logBin) && !"1".equals(syncBinlog)) {
          problems.add(
              "sync_binlog = "
                  + syncBinlog
                  + " with the binary log on: after a crash of the machine, recovery rolls back"
                  + " transactions missing from the unsynced binary log, acknowledged messages"
                  + " among them; set it to 1");
        }
      }
      case H2 -> {
        try (Statement s = c.createStatement();
            ResultSet r =
                s.executeQuery(
                    "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                        + " WHERE SETTING_NAME = 'WRITE_DELAY'")) {
          while (r.next()) {
            if (!"0".equals(r.getString(1))) {
              problems.add(
                  "H2 WRITE_DELAY = "
                      + r.getString(1)
                      + ": committed transactions stay in memory that many ms, so a killed"
                      + " process loses acknowledged messages; add ;WRITE_DELAY=0 to the URL");
              break;
            }
          }
        }
      }
    }
    return problems;
  }

  /**
   * Checks the database behind {@code dataSource}: returns the problems found (logged at WARN) when
   * {@code allowNonDurable}, or throws naming them.
   *
   * @throws IllegalStateException if a setting makes commits non-durable and {@code
   *     allowNonDurable} is false
   */
  static List<String> check(DataSource dataSource, JdbcDatabase database, boolean allowNonDurable) {
    List<String> problems;
    try (Connection c = dataSource.getConnection()) {
      problems = problems(c, database);
    } catch (SQLException e) {
      LOG.warn("could not check whether commits are durable ({}); continuing", e.getMessage());
      return List.of();
    }
    if (problems.isEmpty()) {
      return List.of();
    }
    if (!allowNonDurable) {
      throw new IllegalStateException(
          "the database acknowledges commits before they are durable, so SENT_ACKed messages"
              + " can be lost: "
              + String.join("; ", problems)
              + " (or set allowNonDurableCommits(true) to run anyway)");
    }
    problems.forEach(p -> LOG.warn("commits are not durable: {}", p));
    return List.copyOf(problems);
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      return r.next() ? String.valueOf(r.getString(1)) : "";
    }
  }
}
