package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.tck.DeviceDirectoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class H2JdbcDeviceDirectoryContractTest extends DeviceDirectoryContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.h2();

  @Override
  protected DeviceDirectory createDirectory() {
    return DB.stores().deviceDirectory();
  }
}
