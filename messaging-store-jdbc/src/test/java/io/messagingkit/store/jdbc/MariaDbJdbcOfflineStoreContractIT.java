package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.tck.OfflineStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbJdbcOfflineStoreContractIT extends OfflineStoreContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.mariadb();

  @Override
  protected OfflineStore createStore() {
    return DB.stores().offlineStore();
  }
}
