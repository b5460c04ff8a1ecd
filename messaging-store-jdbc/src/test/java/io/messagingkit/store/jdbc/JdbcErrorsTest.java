package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.ConflictException;
import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.MessagingException;
import io.messagingkit.core.UnavailableException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JdbcErrorsTest {

  @Test
  @DisplayName(
      "connection loss, pool timeouts, shutdowns and deadlocks become UnavailableException")
  void unavailable() {
    for (Exception e :
        new Exception[] {
          new SQLException("connection refused", "08001"),
          new SQLException("terminating connection", "57P01"),
          new SQLException("deadlock", "40P01"),
          new SQLException("serialization", "40001"),
          new SQLException("too many connections", "53300"),
          new SQLException("lock wait timeout", "HY000", 1205),
          new SQLTransientConnectionException("pool timed out"),
          new RuntimeException(new SQLException("io", "S1000", 0, new ConnectException("refused")))
        }) {
      MessagingException m = JdbcErrors.translate("doing x", new RuntimeException(e));
      assertThat(m).as("%s", e).isInstanceOf(UnavailableException.class);
      assertThat(m.retryable()).isTrue();
      assertThat(m.getMessage()).startsWith("doing x failed: database unavailable");
      assertThat(m.getCause()).isNotNull();
    }
  }

  @Test
  @DisplayName("data exceptions become InvalidRequestException; other SQL errors are INTERNAL")
  void others() {
    assertThat(JdbcErrors.translate("x", new SQLException("too long", "22001")))
        .isInstanceOf(InvalidRequestException.class);
    MessagingException internal =
        JdbcErrors.translate("listing", new SQLException("no such table", "42P01"));
    assertThat(internal.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(internal).isNotInstanceOf(UnavailableException.class);
    assertThat(internal.getMessage()).contains("listing failed").contains("no such table");
  }

  @Test
  @DisplayName("messagingkit exceptions pass through unchanged")
  void passThrough() {
    ConflictException conflict = new ConflictException("taken");
    assertThat(JdbcErrors.translate("x", conflict)).isSameAs(conflict);
  }

  @Test
  @DisplayName("only transaction rollbacks (class 40, MySQL 1213) are retried as a whole")
  void rolledBack() {
    assertThat(Db.isRolledBack(new RuntimeException(new SQLException("d", "40P01")))).isTrue();
    assertThat(Db.isRolledBack(new RuntimeException(new SQLException("d", "40001")))).isTrue();
    assertThat(Db.isRolledBack(new RuntimeException(new SQLException("d", "HY000", 1213))))
        .isTrue();
    assertThat(Db.isRolledBack(new RuntimeException(new SQLException("d", "23505")))).isFalse();
    assertThat(Db.isRolledBack(new RuntimeException("no sql"))).isFalse();
  }
}
