package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InMemoryIdempotencyStore;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.tck.IdempotencyStoreContract;

class InMemoryIdempotencyStoreContractTest extends IdempotencyStoreContract {
  @Override
  protected IdempotencyStore createStore() {
    return new InMemoryIdempotencyStore();
  }
}
