package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.tck.ContactGraphContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresJdbcContactGraphContractIT extends ContactGraphContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.postgres();

  @Override
  protected ContactGraph createGraph() {
    return DB.stores().contactGraph();
  }
}
