package io.messagingkit.bench.jmh;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.protocol.ClientFrame;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@link WireCodec}: the frames of the 1-1 hot path (SEND in, MESSAGE and SENT_ACK out). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private final WireCodec codec = new WireCodec();
  private final String sendText =
      "{\"type\":\"SEND\",\"id\":\"m-1001\",\"to\":\"bob\",\"kind\":\"TEXT\","
          + "\"text\":\"Hello Bob, a short chat message of about sixty-four chars\","
          + "\"ts\":1764345600000}";
  private final ServerFrame.Message message =
      new ServerFrame.Message(
          MessageId.of("m-1001"),
          DeviceAddress.of("alice", "phone"),
          new Recipient.ToUser(UserId.of("bob")),
          MessageType.TEXT,
          "Hello Bob, a short chat message of about sixty-four chars"
              .getBytes(StandardCharsets.UTF_8),
          null,
          Instant.ofEpochMilli(1764345600000L),
          Instant.ofEpochMilli(1764345600123L),
          42);
  private final ServerFrame.SentAck sentAck =
      new ServerFrame.SentAck(MessageId.of("m-1001"), Instant.ofEpochMilli(1764345600123L), false);
  private final String messageText = codec.encode(message);

  @Benchmark
  public ClientFrame decodeSend() {
    return codec.decodeClient(sendText);
  }

  @Benchmark
  public String encodeMessage() {
    return codec.encode(message);
  }

  @Benchmark
  public String encodeSentAck() {
    return codec.encode(sentAck);
  }

  @Benchmark
  public ServerFrame decodeMessage() {
    return codec.decodeServer(messageText);
  }
}
