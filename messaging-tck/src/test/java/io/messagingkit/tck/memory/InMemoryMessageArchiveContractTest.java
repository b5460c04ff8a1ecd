package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InMemoryMessageArchive;
import io.messagingkit.core.port.MessageArchive;
import io.messagingkit.tck.MessageArchiveContract;

class InMemoryMessageArchiveContractTest extends MessageArchiveContract {
  @Override
  protected MessageArchive createArchive() {
    return new InMemoryMessageArchive();
  }
}
