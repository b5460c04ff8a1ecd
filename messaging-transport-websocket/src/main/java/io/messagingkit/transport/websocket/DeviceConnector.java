package io.messagingkit.transport.websocket;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceConnection;
import io.messagingkit.core.DeviceSession;

/**
 * Where authenticated connections go: usually {@code chatServer::connect}. Kept as a function so
 * the transport needs nothing of the server but this.
 */
@FunctionalInterface
public interface DeviceConnector {

  /** Connects an authenticated device; the returned session serves its requests until closed. */
  DeviceSession connect(DeviceAddress device, DeviceConnection connection);
}
