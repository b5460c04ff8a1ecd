package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InMemoryGroupDirectory;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.tck.GroupDirectoryContract;

class InMemoryGroupDirectoryContractTest extends GroupDirectoryContract {
  @Override
  protected GroupDirectory createDirectory() {
    return new InMemoryGroupDirectory();
  }
}
