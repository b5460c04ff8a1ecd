package io.messagingkit.store.jdbc;

import io.messagingkit.core.ConsentPresencePolicy;
import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.PresencePolicy;
import io.messagingkit.tck.PresencePolicyContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The default presence policy on the JDBC contact graph and group directory. */
class H2JdbcConsentPresencePolicyContractTest extends PresencePolicyContract {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.h2();

  @Override
  protected ContactGraph createContactGraph() {
    return DB.stores().contactGraph();
  }

  @Override
  protected GroupDirectory createGroupDirectory() {
    return DB.stores().groupDirectory();
  }

  @Override
  protected PresencePolicy createPolicy(ContactGraph contacts, GroupDirectory groups) {
    return new ConsentPresencePolicy(contacts);
  }
}
