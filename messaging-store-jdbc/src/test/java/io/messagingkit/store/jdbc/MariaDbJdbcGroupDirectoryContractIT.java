package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.tck.GroupDirectoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbJdbcGroupDirectoryContractIT extends GroupDirectoryContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.mariadb();

  @Override
  protected GroupDirectory createDirectory() {
    return DB.stores().groupDirectory();
  }
}
