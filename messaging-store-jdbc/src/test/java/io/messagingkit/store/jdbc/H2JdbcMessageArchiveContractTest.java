package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.MessageArchive;
import io.messagingkit.tck.MessageArchiveContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class H2JdbcMessageArchiveContractTest extends MessageArchiveContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.h2();

  @Override
  protected MessageArchive createArchive() {
    return DB.stores().messageArchive();
  }
}
