package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InMemoryContactGraph;
import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.tck.ContactGraphContract;

class InMemoryContactGraphContractTest extends ContactGraphContract {
  @Override
  protected ContactGraph createGraph() {
    return new InMemoryContactGraph();
  }
}
