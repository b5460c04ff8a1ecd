package io.messagingkit.core.memory;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.DeviceDirectory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** A {@link DeviceDirectory} in the heap. Thread-safe (one lock); forgets everything on restart. */
public final class InMemoryDeviceDirectory implements DeviceDirectory {

  private final Map<UserId, TreeMap<String, Entry>> devices = new HashMap<>();

  /** One device: its push target and when it was last seen. */
  private static final class Entry {
    @Nullable PushTarget target;
    Instant seen;

    Entry(Instant seen) {
      this.seen = seen;
    }
  }

  @Override
  public synchronized Registration register(DeviceAddress device, Instant seenAt, int maxDevices) {
    TreeMap<String, Entry> mine = devices.computeIfAbsent(device.user(), u -> new TreeMap<>());
    Entry known = mine.get(device.device().value());
    if (known != null) {
      known.seen = later(known.seen, seenAt);
      return Registration.KNOWN;
    }
    if (mine.size() >= maxDevices) {
      if (mine.isEmpty()) {
        devices.remove(device.user());
      }
      return Registration.FULL;
    }
    mine.put(device.device().value(), new Entry(seenAt));
    return Registration.NEW;
  }

  @Override
  public synchronized boolean touch(DeviceAddress device, Instant seenAt) {
    Entry entry = entry(device);
    if (entry == null) {
      return false;
    }
    entry.seen = later(entry.seen, seenAt);
    return true;
  }

  @Override
  public synchronized Map<DeviceId, Instant> lastSeen(UserId user) {
    TreeMap<String, Entry> mine = devices.get(user);
    Map<DeviceId, Instant> result = new LinkedHashMap<>();
    if (mine != null) {
      mine.forEach((id, e) -> result.put(DeviceId.of(id), e.seen));
    }
    return result;
  }

  @Override
  public synchronized List<DeviceAddress> unseenSince(Instant cutoff, int limit) {
    List<Map.Entry<DeviceAddress, Instant>> old = new ArrayList<>();
    devices.forEach(
        (user, mine) ->
            mine.forEach(
                (id, e) -> {
                  if (e.seen.isBefore(cutoff)) {
                    old.add(Map.entry(new DeviceAddress(user, DeviceId.of(id)), e.seen));
                  }
                }));
    old.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
    return old.stream().limit(limit).map(Map.Entry::getKey).toList();
  }

  @Override
  public synchronized List<DeviceId> devices(UserId user) {
    TreeMap<String, Entry> mine = devices.get(user);
    return mine == null ? List.of() : mine.keySet().stream().map(DeviceId::new).toList();
  }

  @Override
  public synchronized boolean remove(DeviceAddress device) {
    TreeMap<String, Entry> mine = devices.get(device.user());
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
    Entry entry = entry(device);
    if (entry == null) {
      throw new NotFoundException("device " + device + " is not registered");
    }
    entry.target = target;
  }

  @Override
  public synchronized Optional<PushTarget> pushTarget(DeviceAddress device) {
    Entry entry = entry(device);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.target);
  }

  @Override
  public synchronized boolean clearPushTarget(DeviceAddress device, PushTarget target) {
    Entry entry = entry(device);
    if (entry == null || entry.target == null || !entry.target.equals(target)) {
      return false;
    }
    entry.target = null;
    return true;
  }

  private @Nullable Entry entry(DeviceAddress device) {
    TreeMap<String, Entry> mine = devices.get(device.user());
    return mine == null ? null : mine.get(device.device().value());
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
