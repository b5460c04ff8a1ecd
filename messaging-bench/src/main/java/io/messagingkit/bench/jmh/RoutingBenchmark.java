package io.messagingkit.bench.jmh;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceConnection;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendReceipt;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The core's routing hot path on its in-memory adapters (archive off): alice sends to bob, {@link
 * #sendToSentAck} waits for the send receipt (SENT_ACK), {@link #sendToDelivery} also for the
 * message to reach bob's connection; bob acknowledges every message (its queue stays empty). No
 * transport: this is the library's own cost per message.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingBenchmark {
  private ChatServer server;
  private DeviceSession alice;
  private DeviceSession bob;
  private final AtomicLong seq = new AtomicLong();
  private final AtomicReference<@Nullable CompletableFuture<Void>> expected =
      new AtomicReference<>();
  private final Recipient toBob = new Recipient.ToUser(UserId.of("bob"));

  @Setup(Level.Trial)
  public void start() {
    server = ChatServer.builder().noArchive().build().start();
    alice = server.connect(DeviceAddress.of("alice", "phone"), new Sink("a", null));
    bob = server.connect(DeviceAddress.of("bob", "phone"), new Sink("b", this));
  }

  @TearDown(Level.Trial)
  public void stop() {
    server.close();
  }

  @Benchmark
  public SendReceipt sendToSentAck() {
    return alice.send(SendRequest.text("m" + seq.incrementAndGet(), toBob, "hello")).join();
  }

  @Benchmark
  public SendReceipt sendToDelivery() {
    CompletableFuture<Void> delivered = new CompletableFuture<>();
    expected.set(delivered);
    SendReceipt r =
        alice.send(SendRequest.text("m" + seq.incrementAndGet(), toBob, "hello")).join();
    delivered.join();
    return r;
  }

  void onIncoming(ServerEvent.Incoming in) {
    bob.acknowledge(in.envelope().sender().user(), in.envelope().id());
    CompletableFuture<Void> f = expected.getAndSet(null);
    if (f != null) {
      f.complete(null);
    }
  }

  /** A device connection that hands bob's messages to the benchmark. */
  private static final class Sink implements DeviceConnection {
    private final String id;
    private final @Nullable RoutingBenchmark owner;

    Sink(String id, @Nullable RoutingBenchmark owner) {
      this.id = id;
      this.owner = owner;
    }

    @Override
    public String connectionId() {
      return id;
    }

    @Override
    public boolean send(ServerEvent event) {
      if (owner != null && event instanceof ServerEvent.Incoming in) {
        owner.onIncoming(in);
      }
      return true;
    }

    @Override
    public void close(CloseReason reason, String detail) {}
  }
}
