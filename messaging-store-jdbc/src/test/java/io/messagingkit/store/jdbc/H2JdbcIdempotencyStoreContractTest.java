package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.tck.IdempotencyStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class H2JdbcIdempotencyStoreContractTest extends IdempotencyStoreContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.h2();

  @Override
  protected IdempotencyStore createStore() {
    return DB.stores().idempotencyStore();
  }
}
