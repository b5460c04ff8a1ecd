package io.messagingkit.tck.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;

/**
 * The child JVM's entry point: runs {@code kafka.Kafka} and halts when the parent goes away (its
 * end of standard input closes), so a killed test JVM never leaves a broker behind.
 */
final class KafkaBrokerMain {

  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // the parent never writes; EOF means it is gone
                }
              } catch (IOException ignored) {
                // same as EOF
              }
              Runtime.getRuntime().halt(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class<?> main = Class.forName(args[0]);
    Method method = main.getMethod("main", String[].class);
    String[] rest = new String[args.length - 1];
    System.arraycopy(args, 1, rest, 0, rest.length);
    method.invoke(null, (Object) rest);
  }
}
