package io.messagingkit.store.jdbc;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.MessagingException;
import io.messagingkit.core.UnavailableException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import org.jdbi.v3.core.ConnectionException;
import org.jspecify.annotations.Nullable;

/** Translates driver and pool exceptions into messagingkit exceptions. Not API. */
final class JdbcErrors {
  private JdbcErrors() {}

  /** The first {@link SQLException} in the cause chain, or null. */
  static @Nullable SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * The messagingkit exception for a failure of {@code what}: {@link UnavailableException} when the
   * database cannot be reached or asks to retry (connection loss, pool timeout, shutdown, deadlock,
   * serialization failure), {@link InvalidRequestException} for a data exception (SQL state class
   * 22), a non-retryable {@link ErrorCode#INTERNAL} otherwise.
   */
  static MessagingException translate(String what, Throwable e) {
    if (e instanceof MessagingException m) {
      return m;
    }
    SQLException sql = sqlCause(e);
    String detail = sql != null ? sql.getMessage() : e.toString();
    if (isUnavailable(e, sql)) {
      return new UnavailableException(what + " failed: database unavailable: " + detail, e);
    }
    String state = sql == null ? null : sql.getSQLState();
    if (state != null && state.startsWith("22")) {
      return new InvalidRequestException(what + " failed: " + detail, e);
    }
    return new MessagingException(ErrorCode.INTERNAL, what + " failed: " + detail, e);
  }

  private static boolean isUnavailable(Throwable e, @Nullable SQLException sql) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectionException
          || t instanceof SQLTransientException
          || t instanceof SQLRecoverableException
          || t instanceof SQLNonTransientConnectionException
          || t instanceof IOException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (sql == null) {
      return false;
    }
    for (SQLException s = sql; s != null; s = s.getNextException()) {
      String state = s.getSQLState();
      if (state != null
          && (state.startsWith("08") // connection exception
              || state.startsWith("53") // insufficient resources
              || state.startsWith("57") // operator intervention (shutdown)
              || state.startsWith("40") // transaction rollback: deadlock, serialization
              || state.equals("HYT00")
              || state.equals("HY008"))) {
        return true;
      }
      int code = s.getErrorCode();
      if (code == 1205
          || code == 1213
          || code == 2002
          || code == 2003
          || code == 2006
          || code == 2013) {
        return true; // MySQL: lock wait timeout, deadlock, cannot connect, gone away, lost
      }
      if (code == 90067 || code == 90098 || code == 90121 || code == 90020) {
        return true; // H2: connection broken, database closed, in use
      }
    }
    return false;
  }
}
