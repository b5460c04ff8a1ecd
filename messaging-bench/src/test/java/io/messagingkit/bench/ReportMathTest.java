package io.messagingkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportMathTest {
  private static Histogram micros(long... values) {
    Histogram h = new Histogram(Metrics.MAX_MICROS, 3);
    for (long v : values) {
      h.recordValue(v);
    }
    return h;
  }

  private static RunResult result(
      String scenario,
      long delivered,
      long sessions,
      double seconds,
      Histogram latency,
      long[] tl) {
    Map<String, Double> extra = new HashMap<>();
    extra.put("heap per connection KB", 2.0);
    return new RunResult(
        scenario,
        10,
        delivered,
        delivered,
        delivered,
        delivered,
        sessions,
        1,
        List.of("boom"),
        seconds,
        2_000_000_000L,
        1_000_000_000L,
        latency,
        micros(),
        tl,
        extra);
  }

  @Test
  void throughputIsDeliveriesPerSecondOrSessionsForChurn() {
    assertThat(result("closed-loop", 1000, 0, 4, micros(1), new long[0]).throughput())
        .isEqualTo(250);
    assertThat(result("churn", 1000, 300, 3, micros(1), new long[0]).throughput()).isEqualTo(100);
    assertThat(result("closed-loop", 1000, 0, 0, micros(1), new long[0]).throughput()).isZero();
  }

  @Test
  void percentilesComeFromTheHistogramInMilliseconds() {
    long[] values = new long[100];
    for (int i = 0; i < 100; i++) {
      values[i] = (i + 1) * 1000L; // 1..100 ms
    }
    RunResult r = result("closed-loop", 1, 0, 1, micros(values), new long[0]);
    assertThat(r.latencyMillis(50)).isBetween(49.9, 50.1);
    assertThat(r.latencyMillis(99)).isBetween(98.9, 99.1);
    assertThat(r.maxLatencyMillis()).isBetween(99.9, 100.1);
    assertThat(result("idle", 0, 0, 1, micros(), new long[0]).latencyMillis(50)).isNaN();
  }

  @Test
  void mergeAddsCountsCpuTimelinesAndHistograms() {
    RunResult a = result("group", 100, 0, 2, micros(1000, 2000), new long[] {50, 50});
    RunResult b = result("group", 300, 0, 3, micros(3000), new long[] {100, 100, 100});
    RunResult m = RunResult.merge(List.of(a, b));
    assertThat(m.delivered()).isEqualTo(400);
    assertThat(m.connections()).isEqualTo(20);
    assertThat(m.errors()).isEqualTo(2);
    assertThat(m.seconds()).isEqualTo(3);
    assertThat(m.clientCpuNanos()).isEqualTo(4_000_000_000L);
    assertThat(m.serverCpuNanos()).isEqualTo(1_000_000_000L);
    assertThat(m.latency().getTotalCount()).isEqualTo(3);
    assertThat(m.timeline()).containsExactly(150, 150, 100);
    assertThat(m.errorSamples()).containsExactly("boom", "boom");
    assertThat(m.extra()).containsEntry("heap per connection KB", 4.0);
    assertThatThrownBy(() -> RunResult.merge(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resultsSurviveTheirJsonForm() throws Exception {
    RunResult r = result("backlog", 42, 0, 1.5, micros(10, 20, 30), new long[] {7, 8});
    byte[] json = Json.MAPPER.writeValueAsBytes(r.toMap());
    @SuppressWarnings("unchecked")
    RunResult back = RunResult.fromMap(Json.MAPPER.readValue(json, Map.class));
    assertThat(back.delivered()).isEqualTo(42);
    assertThat(back.seconds()).isEqualTo(1.5);
    assertThat(back.latency()).isEqualTo(r.latency());
    assertThat(back.timeline()).containsExactly(7, 8);
    assertThat(back.extra()).isEqualTo(r.extra());
  }

  @Test
  void formatsMillisecondsAndCores() {
    assertThat(Report.ms(Double.NaN)).isEqualTo("-");
    assertThat(Report.ms(1.234)).isEqualTo("1.23");
    assertThat(Report.ms(123.4)).isEqualTo("123");
    assertThat(Report.cores(-1, 10)).isEqualTo("-");
    assertThat(Report.cores(5_000_000_000L, 10)).isEqualTo("0.50");
    RunResult r = result("closed-loop", 1000, 0, 4, micros(1000), new long[0]);
    assertThat(Report.markdownRow("x", r)).startsWith("| x | 10 | 1,000 | 1,000 |");
    assertThat(Report.text("x", r)).contains("throughput 250 deliveries/s", "error: boom");
  }

  @Test
  void stampsRoundTripThroughIdsAndTexts() {
    assertThat(Frames.nanosOfId(Frames.messageId(7, 123456789L))).isEqualTo(123456789L);
    assertThat(Frames.nanosOfId("plain")).isEqualTo(Long.MIN_VALUE);
    assertThat(Frames.nanosOfId("1-x")).isEqualTo(Long.MIN_VALUE);
    String text = Frames.text(987654321L, 64);
    assertThat(text).hasSize(64);
    assertThat(Conn.nanoStamp(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(987654321L);
    assertThat(Conn.nanoStamp("hello".getBytes(StandardCharsets.UTF_8))).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void framesAreValidProtocolJson() throws Exception {
    var codec = new io.messagingkit.transport.websocket.protocol.WireCodec();
    assertThat(codec.decodeClient(Frames.sendTo("1-2", "bob", "n=2 x")))
        .isInstanceOf(io.messagingkit.transport.websocket.protocol.ClientFrame.Send.class);
    assertThat(codec.decodeClient(Frames.sendToGroup("1-2", "g", "n=2 x")))
        .isInstanceOf(io.messagingkit.transport.websocket.protocol.ClientFrame.Send.class);
    assertThat(codec.decodeClient(Frames.ack("bob", "1-2")))
        .isInstanceOf(io.messagingkit.transport.websocket.protocol.ClientFrame.Ack.class);
    assertThat(codec.decodeClient(Frames.groupCreate("r", "g", List.of("a", "b"))))
        .isInstanceOf(io.messagingkit.transport.websocket.protocol.ClientFrame.GroupCreate.class);
  }

  @Test
  void percentileAxisIsMonotonic() {
    assertThat(Chart.percentileX(0)).isZero();
    assertThat(Chart.percentileX(90)).isLessThan(Chart.percentileX(99));
    assertThat(Chart.percentileX(99.99)).isEqualTo(1.0);
  }

  @Test
  void writesAReadablePng(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/chart.png");
    Chart.write(file, "t", result("churn", 0, 10, 2, micros(5, 50, 500), new long[] {4, 6}));
    BufferedImage img = ImageIO.read(file.toFile());
    assertThat(img.getWidth()).isGreaterThan(500);
  }
}
