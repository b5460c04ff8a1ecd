package io.messagingkit.tck.memory;

import io.messagingkit.core.ChatServer;
import io.messagingkit.tck.ChatServerScenarios;

/** The scenario suite on the embedded defaults (every port in memory). */
class InMemoryChatServerScenariosTest extends ChatServerScenarios {

  @Override
  protected ChatServer.Builder configure(ChatServer.Builder builder) {
    return builder;
  }
}
