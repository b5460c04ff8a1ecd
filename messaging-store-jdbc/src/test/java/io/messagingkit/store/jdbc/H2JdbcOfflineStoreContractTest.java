package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.tck.OfflineStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class H2JdbcOfflineStoreContractTest extends OfflineStoreContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.h2();

  @Override
  protected OfflineStore createStore() {
    return DB.stores().offlineStore();
  }
}
