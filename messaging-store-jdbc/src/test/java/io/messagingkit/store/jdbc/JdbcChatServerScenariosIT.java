package io.messagingkit.store.jdbc;

import io.messagingkit.core.ChatServer;
import io.messagingkit.tck.ChatServerScenarios;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scenario suite with every JDBC store on the local PostgreSQL. */
class JdbcChatServerScenariosIT extends ChatServerScenarios {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.postgres();

  @Override
  protected ChatServer.Builder configure(ChatServer.Builder builder) {
    JdbcStores stores = DB.stores();
    return builder
        .offlineStore(stores.offlineStore())
        .idempotencyStore(stores.idempotencyStore())
        .groupDirectory(stores.groupDirectory())
        .messageArchive(stores.messageArchive())
        .deviceDirectory(stores.deviceDirectory())
        .contactGraph(stores.contactGraph());
  }
}
