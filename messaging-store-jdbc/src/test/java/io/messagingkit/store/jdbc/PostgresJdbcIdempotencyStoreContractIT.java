package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.tck.IdempotencyStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresJdbcIdempotencyStoreContractIT extends IdempotencyStoreContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.postgres();

  @Override
  protected IdempotencyStore createStore() {
    return DB.stores().idempotencyStore();
  }
}
