package io.messagingkit.transport.websocket;

import io.messagingkit.transport.websocket.tyrus.TyrusChatServerHost;

/** The transport's bounds on standalone Tyrus (Grizzly). */
class TyrusTransportBoundsTest extends TransportBoundsContract {
  @Override
  protected ChatWebSocket.Builder configure(ChatWebSocket.Builder builder) {
    return builder.containerSupport(TyrusChatServerHost.support());
  }

  @Override
  protected ChatTransportContract.Host host(ChatWebSocket ws) {
    TyrusChatServerHost h =
        TyrusChatServerHost.builder(ws).port(0).workerThreads(4).selectorThreads(1).build().start();
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
