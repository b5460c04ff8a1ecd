package io.messagingkit.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.memory.InMemoryContactGraph;
import io.messagingkit.core.memory.InMemoryGroupDirectory;
import io.messagingkit.tck.RecordingConnection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two chat servers sharing one Redis see each other's users come and go. */
class RedisClusterPresenceIT {

  private final String prefix = LocalRedis.freshPrefix();
  private final InMemoryContactGraph contacts = new InMemoryContactGraph();
  private final InMemoryGroupDirectory groups = new InMemoryGroupDirectory();
  private RedisSessionRegistry registry1;
  private RedisSessionRegistry registry2;
  private ChatServer server1;
  private ChatServer server2;

  private ChatServer server(String id, RedisSessionRegistry registry) {
    return ChatServer.builder()
        .serverId(id)
        .sessionRegistry(registry)
        .contactGraph(contacts)
        .groupDirectory(groups)
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server1.close();
    server2.close();
    registry1.close();
    registry2.close();
    LocalRedis.deleteKeys(prefix);
  }

  @Test
  @DisplayName(
      "a user connecting to server 1 is seen online, then offline with last seen, on server 2")
  void presenceAcrossServers() {
    registry1 =
        RedisSessionRegistry.builder(LocalRedis.HOST, LocalRedis.PORT).keyPrefix(prefix).build();
    registry2 =
        RedisSessionRegistry.builder(LocalRedis.HOST, LocalRedis.PORT).keyPrefix(prefix).build();
    server1 = server("chat-1", registry1);
    server2 = server("chat-2", registry2);
    UserId alice = UserId.of("alice");
    UserId bob = UserId.of("bob");
    contacts.link(alice, bob);

    RecordingConnection bobConnection = new RecordingConnection();
    server2.connect(DeviceAddress.of("bob", "phone"), bobConnection);

    // the pub/sub subscription of server 2 may become active a moment after start: retry
    DeviceSession[] aliceSession = new DeviceSession[1];
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              if (aliceSession[0] != null) {
                aliceSession[0].close();
              }
              aliceSession[0] =
                  server1.connect(DeviceAddress.of("alice", "phone"), new RecordingConnection());
              return bobConnection.events(ServerEvent.PresenceChanged.class).stream()
                  .anyMatch(p -> p.presence().user().equals(alice) && p.presence().online());
            });
    bobConnection.clear();
    aliceSession[0].close();
    ServerEvent.PresenceChanged off =
        bobConnection.await(
            ServerEvent.PresenceChanged.class,
            p -> p.presence().user().equals(alice) && !p.presence().online(),
            Duration.ofSeconds(10));
    assertThat(off.presence().lastSeen()).isNotNull();

    DeviceSession bobOnServer2 =
        server2.connect(DeviceAddress.of("bob", "laptop"), new RecordingConnection());
    assertThat(bobOnServer2.presenceOf(alice).online()).isFalse();
    assertThat(bobOnServer2.presenceOf(alice).lastSeen()).isEqualTo(off.presence().lastSeen());
  }
}
