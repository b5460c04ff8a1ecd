package io.messagingkit.push;

import io.messagingkit.core.PushNotification;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.port.PushGateway;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link PushGateway} for a chat server that sends to several providers: each target goes to
 * the first gateway that supports its platform. Closing it closes the gateways that are {@link
 * AutoCloseable}. Thread-safe if the gateways are.
 */
public final class RoutingPushGateway implements PushGateway, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RoutingPushGateway.class);

  private final List<PushGateway> gateways;

  private RoutingPushGateway(List<PushGateway> gateways) {
    this.gateways = gateways;
  }

  /** Routes to {@code gateways}, in this order of preference. */
  public static RoutingPushGateway of(PushGateway... gateways) {
    List<PushGateway> list = List.of(gateways);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("at least one gateway is needed");
    }
    list.forEach(g -> Objects.requireNonNull(g, "gateway"));
    return new RoutingPushGateway(list);
  }

  @Override
  public boolean supports(PushTarget.Platform platform) {
    return gateways.stream().anyMatch(g -> g.supports(platform));
  }

  /** The check of the gateway that would send to {@code target}'s platform. */
  @Override
  public void checkTarget(PushTarget target) {
    for (PushGateway g : gateways) {
      if (g.supports(target.platform())) {
        g.checkTarget(target);
        return;
      }
    }
  }

  @Override
  public CompletableFuture<PushResult> send(PushTarget target, PushNotification notification) {
    for (PushGateway g : gateways) {
      if (g.supports(target.platform())) {
        return g.send(target, notification);
      }
    }
    return CompletableFuture.completedFuture(
        ProviderResponses.failed("no gateway for " + target.platform()));
  }

  @Override
  public void close() {
    for (PushGateway g : gateways) {
      if (g instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          log.warn("closing {} failed", g, e);
        }
      }
    }
  }
}
