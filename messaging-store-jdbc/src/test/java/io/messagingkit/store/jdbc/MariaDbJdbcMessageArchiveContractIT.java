package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.MessageArchive;
import io.messagingkit.tck.MessageArchiveContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbJdbcMessageArchiveContractIT extends MessageArchiveContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.mariadb();

  @Override
  protected MessageArchive createArchive() {
    return DB.stores().messageArchive();
  }
}
