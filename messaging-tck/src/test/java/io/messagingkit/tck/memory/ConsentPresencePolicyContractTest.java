package io.messagingkit.tck.memory;

import io.messagingkit.core.ConsentPresencePolicy;
import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.PresencePolicy;
import io.messagingkit.tck.PresencePolicyContract;

class ConsentPresencePolicyContractTest extends PresencePolicyContract {
  @Override
  protected PresencePolicy createPolicy(ContactGraph contacts, GroupDirectory groups) {
    return new ConsentPresencePolicy(contacts);
  }
}
