package io.messagingkit.adversarial.crash;

import static org.awaitility.Awaitility.await;

import io.messagingkit.adversarial.process.ChildJvm;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.transport.websocket.JwtIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Streams messages from several senders to as many receivers through a chat server in a child JVM,
 * SIGKILLs the server in the middle of the stream {@code kills} times (each time after a random
 * number of further SENT_ACKs), restarts it on the same database, lets the clients reconnect and
 * resend, and then counts at the receivers what was lost, reordered or duplicated.
 */
final class ServerKillCampaign {
  private static final Pattern READY =
      Pattern.compile(Pattern.quote(CrashServerMain.READY) + "(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Map<String, String> serverProperties = new LinkedHashMap<>();
  private final Path log;
  private int pairs = 4;
  private int kills = 5;
  private int window = 32;
  private int minAcksBetweenKills = 100;
  private int maxAcksBetweenKills = 400;
  private long seed = new SecureRandom().nextLong();

  /**
   * @param jdbcUrl the database the server runs on (kept across restarts)
   * @param log where the server's output goes
   */
  ServerKillCampaign(String jdbcUrl, Path log) {
    serverProperties.put("crash.jdbc.url", jdbcUrl);
    this.log = log;
  }

  ServerKillCampaign serverProperty(String name, String value) {
    serverProperties.put(name, value);
    return this;
  }

  ServerKillCampaign kills(int kills) {
    this.kills = kills;
    return this;
  }

  ServerKillCampaign pairs(int pairs) {
    this.pairs = pairs;
    return this;
  }

  /** What one campaign saw. */
  record Report(
      long seed,
      List<Integer> killExitCodes,
      boolean shutdownHookRan,
      int acked,
      int received,
      int lost,
      int reordered,
      int visibleDuplicates,
      int redeliveries,
      int mismatched,
      int sendErrors,
      List<Integer> receiverConnections,
      List<Long> restartMillis,
      List<String> lostSample,
      List<String> anomalies,
      Duration elapsed) {
    String summary() {
      return String.format(
          "seed=%d kills=%s acked=%d received=%d lost=%d reordered=%d visibleDuplicates=%d"
              + " redeliveries=%d mismatched=%d sendErrors=%d receiverConnections=%s restartMillis=%s elapsed=%ss"
              + " lostSample=%s anomalies=%s",
          seed,
          killExitCodes,
          acked,
          received,
          lost,
          reordered,
          visibleDuplicates,
          redeliveries,
          mismatched,
          sendErrors,
          receiverConnections,
          restartMillis,
          elapsed.toSeconds(),
          lostSample,
          anomalies);
    }
  }

  Report run() {
    long began = System.nanoTime();
    Random random = new Random(seed);
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    int port = freePort();
    URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
    JwtIssuer issuer =
        JwtIssuer.hs256(
            secret,
            CrashServerMain.ISSUER,
            CrashServerMain.ISSUER,
            Duration.ofHours(1),
            Clock.systemUTC());
    AtomicInteger lifetime = new AtomicInteger();
    List<CountingReceiver> receivers = new ArrayList<>();
    List<StreamingSender> senders = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      receivers.add(new CountingReceiver("r" + i, uri, token(issuer, "r" + i), lifetime::get));
      senders.add(new StreamingSender("s" + i, "r" + i, window, uri, token(issuer, "s" + i)));
    }
    List<Integer> exits = new ArrayList<>();
    List<Long> restarts = new ArrayList<>();
    ChildJvm server = startServer(port, secret);
    try {
      // receivers first: their devices must be registered before the first message to them
      receivers.forEach(RawClient::start);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> receivers.stream().allMatch(RawClient::connected));
      // half of the receivers go offline: what is sent to them lives only in the store
      List<CountingReceiver> offline = receivers.subList(pairs / 2, pairs);
      offline.forEach(RawClient::goAway);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> offline.stream().noneMatch(RawClient::connected));
      senders.forEach(RawClient::start);
      for (int k = 0; k < kills; k++) {
        int target =
            totalAcked(senders)
                + minAcksBetweenKills
                + random.nextInt(maxAcksBetweenKills - minAcksBetweenKills + 1);
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> totalAcked(senders) >= target);
        exits.add(server.kill());
        lifetime.incrementAndGet(); // before the next process can accept a connection
        long restart = System.nanoTime();
        server = startServer(port, secret);
        restarts.add(Duration.ofNanos(System.nanoTime() - restart).toMillis());
      }
      senders.forEach(StreamingSender::finish);
      offline.forEach(RawClient::comeBack);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> senders.stream().allMatch(StreamingSender::done));
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> lostIds(senders, receivers).isEmpty());
      } catch (ConditionTimeoutException stillMissing) {
        // counted below as lost
      }
      senders.forEach(RawClient::stop);
      receivers.forEach(RawClient::stop);
      List<String> lost = lostIds(senders, receivers);
      List<String> anomalies = new ArrayList<>();
      receivers.forEach(r -> anomalies.addAll(r.samples()));
      senders.forEach(s -> anomalies.addAll(s.errorSamples()));
      return new Report(
          seed,
          exits,
          server.tail(10_000).contains(CrashServerMain.SHUTDOWN_HOOK),
          totalAcked(senders),
          receivers.stream().mapToInt(r -> r.received().size()).sum(),
          lost.size(),
          receivers.stream().mapToInt(CountingReceiver::reordered).sum(),
          receivers.stream().mapToInt(CountingReceiver::visibleDuplicates).sum(),
          receivers.stream().mapToInt(CountingReceiver::redeliveries).sum(),
          receivers.stream().mapToInt(CountingReceiver::mismatched).sum(),
          senders.stream().mapToInt(StreamingSender::errors).sum(),
          receivers.stream().map(RawClient::connections).toList(),
          restarts,
          lost.subList(0, Math.min(20, lost.size())),
          anomalies,
          Duration.ofNanos(System.nanoTime() - began));
    } finally {
      senders.forEach(RawClient::stop);
      receivers.forEach(RawClient::stop);
      server.close();
    }
  }

  private ChildJvm startServer(int port, byte[] secret) {
    ChildJvm.Builder b =
        ChildJvm.builder(CrashServerMain.class)
            .jvmOption("-Xmx256m")
            .jvmOption("-XX:+UseSerialGC")
            .jvmOption("-XX:TieredStopAtLevel=1")
            .systemProperty("crash.port", Integer.toString(port))
            .systemProperty("crash.secret", Base64.getEncoder().encodeToString(secret))
            .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn")
            .log(log);
    serverProperties.forEach(b::systemProperty);
    ChildJvm child = b.start();
    try {
      child.awaitLine(READY, START_TIMEOUT);
    } catch (RuntimeException e) {
      child.close();
      throw e;
    }
    return child;
  }

  private static List<String> lostIds(
      List<StreamingSender> senders, List<CountingReceiver> receivers) {
    TreeSet<String> lost = new TreeSet<>();
    for (int i = 0; i < senders.size(); i++) {
      for (String id : senders.get(i).acked()) {
        if (!receivers.get(i).received().contains(id)) {
          lost.add(id);
        }
      }
    }
    return List.copyOf(lost);
  }

  private static int totalAcked(List<StreamingSender> senders) {
    return senders.stream().mapToInt(StreamingSender::ackedCount).sum();
  }

  private static String token(JwtIssuer issuer, String user) {
    return issuer.issue(DeviceAddress.of(user, "d1"));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
