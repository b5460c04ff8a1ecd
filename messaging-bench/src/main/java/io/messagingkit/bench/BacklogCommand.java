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
 * Offline backlog drain: while {@code receivers} users are offline, one sender each queues {@code
 * backlog} messages for them (window {@code window}; each receiver device signed in once before, so
 * the server knows it); then the receivers connect at once and the run measures until every queued
 * message was delivered. Receivers acknowledge cumulatively ({@code ACK {upTo}} once per {@code
 * --ack-every} messages and at the end), or with one ACK frame per message ({@code --ack-every 1}).
 * The rate is deliveries per second of the drain; latency is the time from a receiver's connect to
 * each message's arrival.
 */
@Command(
    name = "backlog",
    mixinStandardHelpOptions = true,
    description = "offline backlog drain on reconnect")
final class BacklogCommand extends ScenarioCommand {
  @Option(
      names = "--receivers",
      defaultValue = "100",
      description = "offline receivers (default: ${DEFAULT-VALUE})")
  int receivers;

  @Option(
      names = "--backlog",
      defaultValue = "1000",
      description = "messages queued per receiver (default: ${DEFAULT-VALUE})")
  int backlog;

  @Option(
      names = "--window",
      defaultValue = "32",
      description = "SENDs in flight per sender while filling (default: ${DEFAULT-VALUE})")
  int window;

  @Option(
      names = "--ack-every",
      defaultValue = "64",
      description =
          "receivers acknowledge cumulatively (ACK {upTo}) once per this many messages; 1: one ACK"
              + " {from, id} frame per message, as before cumulative acks (default: ${DEFAULT-VALUE})")
  int ackEvery;

  @Mixin TextSize text;

  private final AtomicLong seq = new AtomicLong();

  @Override
  String scenario() {
    return "backlog";
  }

  @Override
  void validate() {
    super.validate();
    positive("--receivers", receivers);
    positive("--backlog", backlog);
    positive("--window", window);
    positive("--ack-every", ackEvery);
    text.validate();
  }

  @Override
  RunResult runScenario() throws Exception {
    List<Conn> senders = new ArrayList<>();
    for (int i = 0; i < receivers; i++) {
      String receiver = user("r", i);
      AtomicLong remaining = new AtomicLong(backlog);
      Conn sender =
          new Conn(
              user("s", i),
              (c, f) -> {
                if (f instanceof ServerFrame.SentAck ack) {
                  Devices.sentAck(ack, metrics);
                  if (remaining.getAndDecrement() > 0) {
                    send(c, receiver);
                  }
                } else {
                  Devices.receive(c, f, metrics);
                }
              },
              metrics);
      sender.state = remaining;
      senders.add(sender);
    }
    // the server queues for devices it knows: every receiver device signs in once, then goes away
    List<Conn> once = new ArrayList<>();
    for (int i = 0; i < receivers; i++) {
      once.add(new Conn(user("r", i), (c, f) -> {}, metrics));
    }
    connectAll(once);
    closeAll(once);
    for (Conn c : once) {
      c.closed().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    Thread.sleep(500);
    connectAll(senders);
    for (Conn s : senders) {
      AtomicLong remaining = (AtomicLong) s.state;
      for (int w = 0; w < window && remaining.getAndDecrement() > 0; w++) {
        send(s, user("r", senders.indexOf(s)));
      }
    }
    long total = (long) receivers * backlog;
    if (!await(() -> metrics.sentAcks.sum() >= total, Duration.ofMinutes(10))) {
      throw new IllegalStateException(
          "the backlog was not accepted: " + metrics.sentAcks.sum() + " of " + total);
    }
    long fillSent = metrics.sent.sum();
    List<Conn> drainers = new ArrayList<>();
    for (int i = 0; i < receivers; i++) {
      Conn r =
          new Conn(
              user("r", i),
              (c, f) -> {
                if (f instanceof ServerFrame.Message m) {
                  Drain d = (Drain) c.state;
                  metrics.latencyNanos(System.nanoTime() - d.connectedAt);
                  metrics.delivered.increment();
                  d.received++;
                  if (ackEvery == 1 || m.queueSequence() == 0) {
                    c.send(Frames.ack(m.from().user().value(), m.id().value()));
                  } else if (d.received % ackEvery == 0 || d.received >= backlog) {
                    c.send(Frames.ackUpTo(m.queueSequence()));
                  }
                } else {
                  Devices.receive(c, f, metrics);
                }
              },
              metrics);
      drainers.add(r);
    }
    Thread connector =
        new Thread(
            () -> {
              for (Conn r : drainers) {
                r.state = new Drain(System.nanoTime());
              }
              try {
                connectAll(drainers);
              } catch (Exception e) {
                metrics.error("connect failed: " + e);
              }
            },
            "bench-drain-connect");
    RunResult r =
        measureNow(
            receivers * 2L,
            metrics.delivered::sum,
            () -> metrics.delivered.sum() >= total,
            Math.max(durationSeconds, 600),
            connector::start);
    r.extra().put("backlog messages queued", (double) fillSent);
    List<Conn> all = new ArrayList<>(senders);
    all.addAll(drainers);
    closeAll(all);
    return r;
  }

  /** A receiver's drain: when it connected and how many messages it got (its reader thread). */
  private static final class Drain {
    final long connectedAt;
    int received;

    Drain(long connectedAt) {
      this.connectedAt = connectedAt;
    }
  }

  private void send(Conn c, String receiver) {
    long now = System.nanoTime();
    c.send(Frames.sendTo(Frames.messageId(seq.incrementAndGet(), now), receiver, text.text(now)));
    metrics.sent.increment();
  }
}
