package io.messagingkit.core.memory;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.DeviceDirectory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A {@link DeviceDirectory} in the heap. Thread-safe (one lock); forgets everything on restart. */
public final class InMemoryDeviceDirectory implements DeviceDirectory {

  private final Map<UserId, TreeMap<String, Optional<PushTarget>>> devices = new HashMap<>();

  @Override
  public synchronized boolean register(DeviceAddress device) {
    TreeMap<String, Optional<PushTarget>> mine =
        devices.computeIfAbsent(device.user(), u -> new TreeMap<>());
    return mine.putIfAbsent(device.device().value(), Optional.empty()) == null;
  }

  @Override
  public synchronized List<DeviceId> devices(UserId user) {
    TreeMap<String, Optional<PushTarget>> mine = devices.get(user);
    return mine == null ? List.of() : mine.keySet().stream().map(DeviceId::new).toList();
  }

  @Override
  public synchronized boolean remove(DeviceAddress device) {
    TreeMap<String, Optional<PushTarget>> mine = devices.get(device.user());
    if (mine == null || mine.remove(device.device().value()) == null) {
      return false;
    }
    if (mine.isEmpty()) {
      devices.remove(device.user());
    }
    return true;
  }

  @Override
  public synchronized void setPushTarget(DeviceAddress device, PushTarget target) {
    TreeMap<String, Optional<PushTarget>> mine = devices.get(device.user());
    if (mine == null || !mine.containsKey(device.device().value())) {
      throw new NotFoundException("device " + device + " is not registered");
    }
    mine.put(device.device().value(), Optional.of(target));
  }

  @Override
  public synchronized Optional<PushTarget> pushTarget(DeviceAddress device) {
    TreeMap<String, Optional<PushTarget>> mine = devices.get(device.user());
    Optional<PushTarget> target = mine == null ? null : mine.get(device.device().value());
    return target == null ? Optional.empty() : target;
  }

  @Override
  public synchronized boolean clearPushTarget(DeviceAddress device, PushTarget target) {
    TreeMap<String, Optional<PushTarget>> mine = devices.get(device.user());
    Optional<PushTarget> current = mine == null ? null : mine.get(device.device().value());
    if (current == null || current.isEmpty() || !current.get().equals(target)) {
      return false;
    }
    mine.put(device.device().value(), Optional.empty());
    return true;
  }
}
