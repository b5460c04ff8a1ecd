package io.messagingkit.transport.websocket;

import io.messagingkit.transport.websocket.tyrus.TyrusChatServerHost;

/** The transport contract on standalone Tyrus (Grizzly). */
class TyrusChatTransportTest extends ChatTransportContract {
  @Override
  protected ChatWebSocket.Builder configure(ChatWebSocket.Builder builder) {
    return builder.containerSupport(TyrusChatServerHost.support());
  }

  @Override
  protected Host host(WebSocketSettings settings, DeviceConnectorAndAuth wiring) {
    TyrusChatServerHost h =
        TyrusChatServerHost.builder(ws).port(0).workerThreads(4).selectorThreads(1).build().start();
    return new Host() {
      @Override
      public int port() {
        return h.port();
      }

      @Override
      public void close() {
        h.close();
      }
    };
  }
}
