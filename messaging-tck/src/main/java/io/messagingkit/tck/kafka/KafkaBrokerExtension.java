package io.messagingkit.tck.kafka;

import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real single-node KRaft Kafka broker per test JVM ({@link KafkaBroker}, a child JVM on free
 * loopback ports), started before the first test class that registers the extension and stopped
 * when the JVM exits. A test that stops or kills the broker (to test a restart) finds it running
 * again in the next test. Tests share the broker, so each should use its own topics ({@link
 * #uniqueName}).
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 * ... KafkaMessageBus.builder(KAFKA.bootstrapServers()) ...
 * }</pre>
 *
 * <p>Needs {@code org.apache.kafka:kafka_2.13} and {@code kafka-clients} on the test class path.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, BeforeEachCallback {

  /** {@code host:port} of the broker; starts it if needed. */
  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /** The shared broker, started; tests may {@link KafkaBroker#stop()} and restart it. */
  public KafkaBroker broker() {
    return Shared.INSTANCE.start();
  }

  /** {@code prefix} plus a random suffix: a topic or group name no other test uses. */
  public String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    broker();
  }

  /** The single broker of this JVM. */
  private static final class Shared {
    static final KafkaBroker INSTANCE = create();

    private static KafkaBroker create() {
      KafkaBroker broker = KafkaBroker.builder().build();
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
      return broker;
    }
  }
}
