package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.tck.DeviceDirectoryContract;

class InMemoryDeviceDirectoryContractTest extends DeviceDirectoryContract {
  @Override
  protected DeviceDirectory createDirectory() {
    return new InMemoryDeviceDirectory();
  }
}
