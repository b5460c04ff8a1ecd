package io.messagingkit.adversarial.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.adversarial.process.ChildJvm;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a chat server in the middle of message streams, five times per test, and checks at
 * independent receivers (raw JDK WebSocket clients, not the SDK) that nothing acknowledged was
 * lost, nothing was reordered and nothing was shown twice.
 */
@DisplayName("A chat server killed with SIGKILL mid-stream")
class ServerKillIT {
  private static final String POSTGRES_URL =
      System.getProperty("messagingkit.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String POSTGRES_USER =
      System.getProperty("messagingkit.postgres.user", "postgres");

  @TempDir Path dir;

  @Test
  @DisplayName(
      "on the embedded default (an H2 file) loses no SENT_ACKed message, reorders none and shows"
          + " none twice")
  void h2File() {
    // the URL the embedded example builds for its data folder
    String url = "jdbc:h2:file:" + dir.resolve("data").resolve("chat").toAbsolutePath();
    assertSurvives(new ServerKillCampaign(url, dir.resolve("server.log")).run());
  }

  @Test
  @DisplayName("on PostgreSQL loses no SENT_ACKed message, reorders none and shows none twice")
  void postgres() throws SQLException {
    String schema = "crash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try {
      assertSurvives(
          new ServerKillCampaign(POSTGRES_URL, dir.resolve("server.log"))
              .serverProperty("crash.jdbc.user", POSTGRES_USER)
              .serverProperty("crash.jdbc.schema", schema)
              .run());
    } finally {
      try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + schema.toLowerCase(Locale.ROOT) + " CASCADE");
      }
    }
  }

  private static void assertSurvives(ServerKillCampaign.Report report) {
    System.out.println("server kill campaign: " + report.summary());
    assertThat(report.killExitCodes())
        .as("every kill was a SIGKILL (exit 137), not a polite stop")
        .hasSize(5)
        .containsOnly(ChildJvm.SIGKILL_EXIT);
    assertThat(report.shutdownHookRan()).as("no shutdown hook ran").isFalse();
    assertThat(report.acked()).as("messages acknowledged").isGreaterThan(5 * 100);
    assertThat(report.lost()).as("SENT_ACKed but never received: " + report.summary()).isZero();
    assertThat(report.reordered()).as("reordered: " + report.summary()).isZero();
    assertThat(report.visibleDuplicates())
        .as("shown twice on one connection: " + report.summary())
        .isZero();
    assertThat(report.mismatched()).as("redeliveries that differ: " + report.summary()).isZero();
  }
}
