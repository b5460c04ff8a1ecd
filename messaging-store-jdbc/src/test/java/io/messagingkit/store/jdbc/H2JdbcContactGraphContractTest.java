package io.messagingkit.store.jdbc;

import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.tck.ContactGraphContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class H2JdbcContactGraphContractTest extends ContactGraphContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.h2();

  @Override
  protected ContactGraph createGraph() {
    return DB.stores().contactGraph();
  }
}
