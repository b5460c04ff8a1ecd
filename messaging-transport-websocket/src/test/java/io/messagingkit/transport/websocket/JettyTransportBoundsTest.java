package io.messagingkit.transport.websocket;

import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;

/** The transport's bounds in Jetty 12's ee10 Jakarta WebSocket container. */
class JettyTransportBoundsTest extends TransportBoundsContract {
  @Override
  protected ChatWebSocket.Builder configure(ChatWebSocket.Builder builder) {
    return builder.containerSupport(JettyChatServerHost.support());
  }

  @Override
  protected ChatTransportContract.Host host(ChatWebSocket ws) {
    JettyChatServerHost h = JettyChatServerHost.builder(ws).port(0).maxThreads(16).build().start();
    return new ChatTransportContract.Host() {
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
