package io.messagingkit.bench;

import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * 1-1 closed loop: {@code pairs} senders each keep {@code window} messages in flight to their own
 * receiver (a new SEND on every SENT_ACK). Receivers ACK every MESSAGE, senders ACK every
 * DELIVERED_ACK. Latency: SEND to MESSAGE arrival at the receiver.
 */
@Command(
    name = "closed-loop",
    mixinStandardHelpOptions = true,
    description = "1-1 messages, a window of W unacknowledged SENDs per sender")
final class ClosedLoopCommand extends ScenarioCommand {
  @Option(
      names = "--pairs",
      defaultValue = "100",
      description = "sender/receiver pairs (default: ${DEFAULT-VALUE})")
  int pairs;

  @Option(
      names = "--window",
      defaultValue = "4",
      description = "SENDs in flight per sender (default: ${DEFAULT-VALUE})")
  int window;

  @Mixin TextSize text;

  private volatile boolean running = true;
  private final AtomicLong seq = new AtomicLong();

  @Override
  String scenario() {
    return "closed-loop";
  }

  @Override
  void validate() {
    super.validate();
    positive("--pairs", pairs);
    positive("--window", window);
    text.validate();
  }

  @Override
  RunResult runScenario() throws Exception {
    List<Conn> conns = new ArrayList<>();
    List<Conn> senders = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      String receiver = user("r", i);
      conns.add(new Conn(receiver, (c, f) -> Devices.receive(c, f, metrics), metrics));
      Conn sender =
          new Conn(
              user("s", i),
              (c, f) -> {
                if (f instanceof ServerFrame.SentAck ack) {
                  Devices.sentAck(ack, metrics);
                  if (running) {
                    send(c, receiver);
                  }
                } else {
                  Devices.receive(c, f, metrics);
                }
              },
              metrics);
      conns.add(sender);
      senders.add(sender);
    }
    connectAll(conns);
    for (int i = 0; i < senders.size(); i++) {
      String receiver = user("r", i);
      for (int w = 0; w < window; w++) {
        send(senders.get(i), receiver);
      }
    }
    RunResult r = measure(conns.size(), metrics.delivered::sum);
    running = false;
    await(() -> metrics.sent.sum() <= metrics.delivered.sum(), Duration.ofSeconds(5));
    closeAll(conns);
    return r;
  }

  private void send(Conn c, String receiver) {
    long now = System.nanoTime();
    c.send(Frames.sendTo(Frames.messageId(seq.incrementAndGet(), now), receiver, text.text(now)));
    metrics.sent.increment();
  }
}
