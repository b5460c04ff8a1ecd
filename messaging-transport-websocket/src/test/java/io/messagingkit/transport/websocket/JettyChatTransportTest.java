package io.messagingkit.transport.websocket;

import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;

/** The transport contract in Jetty 12's ee10 Jakarta WebSocket container. */
class JettyChatTransportTest extends ChatTransportContract {
  @Override
  protected ChatWebSocket.Builder configure(ChatWebSocket.Builder builder) {
    return builder.containerSupport(JettyChatServerHost.support());
  }

  @Override
  protected Host host(WebSocketSettings settings, DeviceConnectorAndAuth wiring) {
    JettyChatServerHost h = JettyChatServerHost.builder(ws).port(0).maxThreads(16).build().start();
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
