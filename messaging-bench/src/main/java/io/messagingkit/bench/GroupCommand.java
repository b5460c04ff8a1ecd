package io.messagingkit.bench;

import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Group fan-out: {@code groups} groups of {@code members} connected users each; one member per
 * group (its creator) sends in a closed loop with {@code window} SENDs in flight; every other
 * member receives and ACKs each message, and the sender ACKs every DELIVERED_ACK. The rate counted
 * is MESSAGE deliveries per second; latency is SEND to MESSAGE arrival.
 */
@Command(
    name = "group",
    mixinStandardHelpOptions = true,
    description = "group fan-out: one sender per group, every member receives")
final class GroupCommand extends ScenarioCommand {
  @Option(
      names = "--groups",
      defaultValue = "10",
      description = "groups (default: ${DEFAULT-VALUE})")
  int groups;

  @Option(
      names = "--members",
      defaultValue = "50",
      description = "members per group, sender included (default: ${DEFAULT-VALUE})")
  int members;

  @Option(
      names = "--window",
      defaultValue = "2",
      description = "SENDs in flight per sender (default: ${DEFAULT-VALUE})")
  int window;

  @Mixin TextSize text;

  private volatile boolean running = true;
  private final AtomicLong seq = new AtomicLong();

  @Override
  String scenario() {
    return "group";
  }

  @Override
  void validate() {
    super.validate();
    positive("--groups", groups);
    if (members < 2) {
      throw new IllegalArgumentException("--members must be at least 2");
    }
    positive("--window", window);
    text.validate();
  }

  @Override
  RunResult runScenario() throws Exception {
    List<Conn> conns = new ArrayList<>();
    List<Conn> senders = new ArrayList<>();
    List<CompletableFuture<Void>> created = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      String group = prefix + "-grp" + g;
      CompletableFuture<Void> ready = new CompletableFuture<>();
      created.add(ready);
      Conn sender =
          new Conn(
              user("g" + g + "m", 0),
              (c, f) -> {
                if (f instanceof ServerFrame.SentAck ack) {
                  Devices.sentAck(ack, metrics);
                  if (running) {
                    send(c, group);
                  }
                } else if (f instanceof ServerFrame.Result) {
                  ready.complete(null);
                } else if (f instanceof ServerFrame.Error e) {
                  ready.completeExceptionally(new IllegalStateException(e.message()));
                } else {
                  Devices.receive(c, f, metrics);
                }
              },
              metrics);
      senders.add(sender);
      conns.add(sender);
      for (int m = 1; m < members; m++) {
        conns.add(
            new Conn(user("g" + g + "m", m), (c, f) -> Devices.receive(c, f, metrics), metrics));
      }
    }
    connectAll(conns);
    for (int g = 0; g < groups; g++) {
      List<String> others = new ArrayList<>();
      for (int m = 1; m < members; m++) {
        others.add(user("g" + g + "m", m));
      }
      senders.get(g).send(Frames.groupCreate("create", prefix + "-grp" + g, others));
    }
    CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (int g = 0; g < groups; g++) {
      for (int w = 0; w < window; w++) {
        send(senders.get(g), prefix + "-grp" + g);
      }
    }
    RunResult r = measure(conns.size(), metrics.delivered::sum);
    running = false;
    await(() -> false, Duration.ofMillis(500));
    closeAll(conns);
    return r;
  }

  private void send(Conn c, String group) {
    long now = System.nanoTime();
    c.send(Frames.sendToGroup(Frames.messageId(seq.incrementAndGet(), now), group, text.text(now)));
    metrics.sent.increment();
  }
}
