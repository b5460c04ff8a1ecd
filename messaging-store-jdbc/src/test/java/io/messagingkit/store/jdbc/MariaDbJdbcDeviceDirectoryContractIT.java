package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.tck.DeviceDirectoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbJdbcDeviceDirectoryContractIT extends DeviceDirectoryContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.mariadb();

  @Override
  protected DeviceDirectory createDirectory() {
    return DB.stores().deviceDirectory();
  }
}
