package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.tck.OfflineStoreContract;

class InMemoryOfflineStoreContractTest extends OfflineStoreContract {
  @Override
  protected OfflineStore createStore() {
    return new InMemoryOfflineStore();
  }
}
