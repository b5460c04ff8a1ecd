package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.tck.GroupDirectoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class H2JdbcGroupDirectoryContractTest extends GroupDirectoryContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.h2();

  @Override
  protected GroupDirectory createDirectory() {
    return DB.stores().groupDirectory();
  }
}
