package io.messagingkit.tck.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.port.PushGateway;
import io.messagingkit.core.port.PushGateway.Outcome;
import io.messagingkit.core.port.PushGateway.PushResult;
import io.messagingkit.tck.RecordingConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PushGateway}, run against a local server that speaks the provider's
 * protocol: each provider answer maps to one {@link Outcome}, the request is what the real provider
 * checks (path, headers, authentication, payload shape, time to live, priority, collapse id), the
 * payload carries no preview unless one was opted in, the gateway never throws, never blocks its
 * caller and gives up on a provider that does not answer; and, under a chat server's push policy, a
 * gone target is removed, server errors are retried with backoff, a bad request is not.
 *
 * <p>Extend it, start the fake provider once, and wire: {@link #createGateway()} returns a gateway
 * pointed at it, {@link #answerNext} scripts its next answer, and {@link #verifyLastRequest} checks
 * the last request as the real provider would.
 */
public abstract class PushGatewayContract {

  /** What the fake provider answers next. */
  protected enum Answer {
    /** The provider accepts the notification. */
    ACCEPT,
    /** The provider says the token or subscription no longer exists. */
    TARGET_GONE,
    /** The provider throttles, asking to wait {@link #RETRY_AFTER}. */
    THROTTLE,
    /** The provider fails with a server error (500 or 503). */
    SERVER_ERROR,
    /** The provider refuses the request as malformed (400). */
    BAD_REQUEST
  }

  /** How long the provider asks to wait when it throttles. */
  protected static final Duration RETRY_AFTER = Duration.ofSeconds(37);

  /** The sender-visible preview of the opt-in tests. */
  protected static final String PREVIEW = "Alice: lunch at noon?";

  private static final DeviceAddress BOB_PHONE = DeviceAddress.of("bob", "phone");

  protected PushGateway gateway;

  /** A gateway that sends to the fake provider; called before each test. */
  protected abstract PushGateway createGateway();

  /** A gateway whose provider cannot be reached (nothing listens at its address). */
  protected abstract PushGateway createGatewayToUnreachableProvider();

  /**
   * A gateway that sends to the fake provider and gives up on an answer after {@code timeout}
   * ({@code RETRY}).
   */
  protected abstract PushGateway createGatewayWithRequestTimeout(Duration timeout);

  /** A valid target of this gateway's platform, known to the fake provider. */
  protected abstract PushTarget target();

  /** Makes the fake provider answer the next request with {@code answer}. */
  protected abstract void answerNext(Answer answer);

  /** Makes the fake provider hold its answers until {@code release} is counted down. */
  protected abstract void holdAnswers(CountDownLatch release);

  /** How many requests the fake provider has received since the test began. */
  protected abstract int requestsReceived();

  /**
   * Checks the last request the provider received as the real provider would for {@code
   * notification} to {@code target} (path, headers, authentication, payload shape, time to live,
   * priority, collapse id), failing with an {@link AssertionError} otherwise, and returns the
   * payload as the device would see it (decrypted where the protocol encrypts it).
   */
  protected abstract String verifyLastRequest(PushTarget target, PushNotification notification);

  /**
   * Whether the provider tells how long to wait when it throttles ({@code Retry-After}); APNs does
   * not, so its gateway cannot pass one on.
   */
  protected boolean providerSendsRetryAfter() {
    return true;
  }

  /** Releases what the gateway holds; called after each test. Override to close more. */
  protected void closeGateway(PushGateway gateway) throws Exception {
    if (gateway instanceof AutoCloseable c) {
      c.close();
    }
  }

  @BeforeEach
  void setUpGateway() {
    gateway = createGateway();
  }

  @AfterEach
  void tearDownGateway() throws Exception {
    closeGateway(gateway);
  }

  protected static PushNotification wakeUp(long pending) {
    return new PushNotification(BOB_PHONE, "messages-phone", pending, null, Duration.ofHours(24));
  }

  protected PushResult sendAndWait(PushTarget target, PushNotification notification)
      throws Exception {
    CompletableFuture<PushResult> future = gateway.send(target, notification);
    PushResult result = future.get(20, TimeUnit.SECONDS);
    assertThat(result).as("the gateway's result").isNotNull();
    return result;
  }

  @Nested
  @DisplayName("a notification the provider accepts")
  class Accepted {
    @Test
    @DisplayName("is ACCEPTED, and the request is what the provider checks")
    void accepted() throws Exception {
      assertThat(gateway.supports(target().platform())).isTrue();
      answerNext(Answer.ACCEPT);
      PushNotification n = wakeUp(3);
      PushResult result = sendAndWait(target(), n);
      assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.ACCEPTED);
      assertThat(requestsReceived()).isEqualTo(1);
      verifyLastRequest(target(), n);
    }

    @Test
    @DisplayName("carries no content and no preview by default")
    void contentFree() throws Exception {
      answerNext(Answer.ACCEPT);
      PushNotification n = wakeUp(2);
      assertThat(sendAndWait(target(), n).outcome()).isEqualTo(Outcome.ACCEPTED);
      String payload = verifyLastRequest(target(), n);
      assertThat(payload).doesNotContain("Alice").doesNotContain("lunch");
    }

    @Test
    @DisplayName("carries the sender-visible preview when one was opted in")
    void preview() throws Exception {
      answerNext(Answer.ACCEPT);
      PushNotification n =
          new PushNotification(
              DeviceAddress.of("bob", "phone"), "messages-phone", 1, PREVIEW, Duration.ofHours(1));
      assertThat(sendAndWait(target(), n).outcome()).isEqualTo(Outcome.ACCEPTED);
      assertThat(verifyLastRequest(target(), n)).contains(PREVIEW);
    }

    @Test
    @DisplayName("passes each notification's time to live and collapse key")
    void ttlAndCollapse() throws Exception {
      PushNotification shortLived =
          new PushNotification(
              DeviceAddress.of("bob", "phone"), "other-key", 5, null, Duration.ofMinutes(5));
      answerNext(Answer.ACCEPT);
      assertThat(sendAndWait(target(), shortLived).outcome()).isEqualTo(Outcome.ACCEPTED);
      verifyLastRequest(target(), shortLived);
      PushNotification longLived = wakeUp(6);
      answerNext(Answer.ACCEPT);
      assertThat(sendAndWait(target(), longLived).outcome()).isEqualTo(Outcome.ACCEPTED);
      verifyLastRequest(target(), longLived);
    }

    @Test
    @DisplayName("concurrent sends are each accepted")
    void concurrent() throws Exception {
      List<CompletableFuture<PushResult>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        futures.add(gateway.send(target(), wakeUp(i + 1)));
      }
      for (CompletableFuture<PushResult> f : futures) {
        assertThat(f.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.ACCEPTED);
      }
      assertThat(requestsReceived()).isEqualTo(20);
    }
  }

  @Nested
  @DisplayName("provider verdicts")
  class Verdicts {
    @Test
    @DisplayName("a token or subscription the provider no longer knows is TARGET_GONE")
    void gone() throws Exception {
      answerNext(Answer.TARGET_GONE);
      assertThat(sendAndWait(target(), wakeUp(1)).outcome()).isEqualTo(Outcome.TARGET_GONE);
    }

    @Test
    @DisplayName("throttling is RETRY with the wait the provider asked for, if it did")
    void throttled() throws Exception {
      answerNext(Answer.THROTTLE);
      PushResult result = sendAndWait(target(), wakeUp(1));
      assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
      if (providerSendsRetryAfter()) {
        assertThat(result.retryAfter()).isEqualTo(RETRY_AFTER);
      }
    }

    @Test
    @DisplayName("a server error is RETRY")
    void serverError() throws Exception {
      answerNext(Answer.SERVER_ERROR);
      assertThat(sendAndWait(target(), wakeUp(1)).outcome()).isEqualTo(Outcome.RETRY);
    }

    @Test
    @DisplayName("a malformed request is FAILED (retrying would not help)")
    void badRequest() throws Exception {
      answerNext(Answer.BAD_REQUEST);
      assertThat(sendAndWait(target(), wakeUp(1)).outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    @DisplayName("the next notification after a failure is sent normally")
    void recovers() throws Exception {
      answerNext(Answer.SERVER_ERROR);
      assertThat(sendAndWait(target(), wakeUp(1)).outcome()).isEqualTo(Outcome.RETRY);
      answerNext(Answer.ACCEPT);
      PushNotification n = wakeUp(2);
      assertThat(sendAndWait(target(), n).outcome()).isEqualTo(Outcome.ACCEPTED);
      verifyLastRequest(target(), n);
    }
  }

  @Nested
  @DisplayName("the caller")
  class Caller {
    @Test
    @DisplayName("is never blocked: send returns before the provider answers")
    void neverBlocks() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      holdAnswers(release);
      CompletableFuture<PushResult> future;
      try {
        future = gateway.send(target(), wakeUp(1));
        assertThat(future).isNotDone();
      } finally {
        release.countDown();
      }
      assertThat(future.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    @DisplayName("is freed after the request timeout when the provider does not answer: RETRY")
    void timeout() throws Exception {
      PushGateway impatient = createGatewayWithRequestTimeout(Duration.ofMillis(500));
      CountDownLatch release = new CountDownLatch(1);
      holdAnswers(release);
      try {
        PushResult result = impatient.send(target(), wakeUp(1)).get(20, TimeUnit.SECONDS);
        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.RETRY);
      } finally {
        release.countDown();
        closeGateway(impatient);
      }
    }

    @Test
    @DisplayName("never sees an exception: an unreachable provider is RETRY")
    void unreachable() throws Exception {
      PushGateway offline = createGatewayToUnreachableProvider();
      try {
        CompletableFuture<PushResult> future = offline.send(target(), wakeUp(1));
        PushResult result = future.get(30, TimeUnit.SECONDS);
        assertThat(future).isNotCompletedExceptionally();
        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
      } finally {
        closeGateway(offline);
      }
    }
  }

  /**
   * The gateway under the chat server's push policy: what each verdict does to the device's push
   * target and to the retries, end to end (the target is registered through a device session, so it
   * also passes the gateway's {@link PushGateway#checkTarget} check).
   */
  @Nested
  @DisplayName("under a chat server's push policy")
  class UnderThePolicy {
    private final DeviceAddress bob = DeviceAddress.of("bob", "phone");
    private final InMemoryDeviceDirectory devices = new InMemoryDeviceDirectory();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private @Nullable ChatServer server;

    @AfterEach
    void stopServer() {
      if (server != null) {
        server.close();
      }
    }

    /** Bob registers the target and goes offline; Alice sends him one message. */
    private void aMessageForOfflineBob() {
      server =
          ChatServer.builder()
              .pushGateway(gateway)
              .deviceDirectory(devices)
              .meterRegistry(meters)
              .build()
              .start();
      DeviceSession phone = server.connect(bob, new RecordingConnection());
      phone.registerPushTarget(target());
      phone.close();
      DeviceSession alice =
          server.connect(DeviceAddress.of("alice", "phone"), new RecordingConnection());
      alice.send(SendRequest.text("m-1", Recipient.user(bob.user()), "hello")).join();
    }

    private double pushes(String outcome) {
      Counter c = meters.find("messagingkit.push").tag("outcome", outcome).counter();
      return c == null ? 0 : c.count();
    }

    @Test
    @DisplayName("a target the provider calls gone is removed from the device")
    void goneRemovesTarget() {
      answerNext(Answer.TARGET_GONE);
      aMessageForOfflineBob();
      await().atMost(Duration.ofSeconds(20)).until(() -> devices.pushTarget(bob).isEmpty());
      assertThat(requestsReceived()).isEqualTo(1);
    }

    @Test
    @DisplayName("server errors are retried with backoff until the provider accepts")
    void serverErrorsRetried() {
      answerNext(Answer.SERVER_ERROR);
      answerNext(Answer.SERVER_ERROR);
      answerNext(Answer.ACCEPT);
      aMessageForOfflineBob();
      await().atMost(Duration.ofSeconds(30)).until(() -> pushes("accepted") == 1);
      assertThat(requestsReceived()).isEqualTo(3);
      assertThat(devices.pushTarget(bob)).contains(target());
    }

    @Test
    @DisplayName("a malformed request is not retried and keeps the target")
    void badRequestNotRetried() {
      answerNext(Answer.BAD_REQUEST);
      aMessageForOfflineBob();
      await().atMost(Duration.ofSeconds(20)).until(() -> pushes("failed") == 1);
      assertThat(requestsReceived()).isEqualTo(1);
      assertThat(devices.pushTarget(bob)).contains(target());
    }
  }
}
