package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.tck.IdempotencyStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class MariaDbJdbcIdempotencyStoreContractIT extends IdempotencyStoreContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.mariadb();

  @Override
  protected IdempotencyStore createStore() {
    return DB.stores().idempotencyStore();
  }
}
