package io.messagingkit.bench;

import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * 1-1 open loop: one pacing thread sends {@code rate} messages per second in total, round-robin
 * over {@code pairs} senders, whether or not earlier ones were acknowledged. Latency is measured
 * from each message's <em>intended</em> send time (no coordinated omission): when the generator or
 * the server falls behind, the wait counts.
 */
@Command(
    name = "open-loop",
    mixinStandardHelpOptions = true,
    description = "1-1 messages at a fixed target rate")
final class OpenLoopCommand extends ScenarioCommand {
  @Option(
      names = "--pairs",
      defaultValue = "100",
      description = "sender/receiver pairs (default: ${DEFAULT-VALUE})")
  int pairs;

  @Option(
      names = "--rate",
      defaultValue = "10000",
      description = "messages per second in total (default: ${DEFAULT-VALUE})")
  int rate;

  @Mixin TextSize text;

  private volatile boolean running = true;

  @Override
  String scenario() {
    return "open-loop";
  }

  @Override
  void validate() {
    super.validate();
    positive("--pairs", pairs);
    positive("--rate", rate);
    text.validate();
  }

  @Override
  RunResult runScenario() throws Exception {
    List<Conn> conns = new ArrayList<>();
    List<Conn> senders = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      conns.add(new Conn(user("r", i), (c, f) -> Devices.receive(c, f, metrics), metrics));
      Conn sender =
          new Conn(
              user("s", i),
              (c, f) -> {
                if (f instanceof ServerFrame.SentAck ack) {
                  Devices.sentAck(ack, metrics);
                } else {
                  Devices.receive(c, f, metrics);
                }
              },
              metrics);
      conns.add(sender);
      senders.add(sender);
    }
    connectAll(conns);
    Thread pacer = new Thread(() -> pace(senders), "bench-pacer");
    pacer.setDaemon(true);
    pacer.start();
    RunResult r = measure(conns.size(), metrics.delivered::sum);
    running = false;
    pacer.join(5000);
    Thread.sleep(500);
    closeAll(conns);
    return r;
  }

  private void pace(List<Conn> senders) {
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    long k = 0;
    while (running) {
      long now = System.nanoTime();
      long due = (now - start) / interval;
      while (k <= due && running) {
        long intended = start + k * interval;
        int i = (int) (k % senders.size());
        senders
            .get(i)
            .send(Frames.sendTo(Frames.messageId(k, intended), user("r", i), text.text(intended)));
        metrics.sent.increment();
        k++;
      }
      LockSupport.parkNanos(Math.max(10_000, start + k * interval - System.nanoTime()));
    }
  }
}
