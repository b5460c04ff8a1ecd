package io.messagingkit.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.messagingkit.transport.websocket.protocol.ClientFrame;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** docs/protocol.md and docs/asyncapi.yaml say what the codec does. */
class ProtocolDocTest {
  static final Set<String> CLIENT_TYPES =
      Set.of(
          "SEND",
          "ACK",
          "READ",
          "HEARTBEAT",
          "TYPING",
          "PRESENCE_SUBSCRIBE",
          "PRESENCE_QUERY",
          "GROUP_CREATE",
          "GROUP_ADD",
          "GROUP_REMOVE",
          "GROUP_PROMOTE",
          "GROUP_LEAVE",
          "GROUP_LIST",
          "GROUP_MEMBERS",
          "HISTORY",
          "MEDIA_UPLOAD",
          "MEDIA_DOWNLOAD",
          "PUSH_REGISTER");
  static final Set<String> SERVER_TYPES =
      Set.of(
          "WELCOME",
          "SENT_ACK",
          "MESSAGE",
          "DELIVERED_ACK",
          "READ_ACK",
          "PRESENCE",
          "TYPING",
          "GROUP_EVENT",
          "HISTORY_PAGE",
          "RESULT",
          "HEARTBEAT_ACK",
          "ERROR");

  final WireCodec codec = new WireCodec();

  record Example(boolean fromClient, String json) {}

  static Path docs() {
    Path p = Path.of("docs");
    return Files.isDirectory(p) ? p : Path.of("..", "docs");
  }

  static List<Example> examples() throws IOException {
    List<String> lines = Files.readAllLines(docs().resolve("protocol.md"), StandardCharsets.UTF_8);
    List<Example> out = new ArrayList<>();
    Boolean fromClient = null;
    StringBuilder block = null;
    for (String line : lines) {
      if (line.startsWith("## ")) {
        fromClient =
            line.equals("## Client to server")
                ? Boolean.TRUE
                : line.equals("## Server to client") ? Boolean.FALSE : null;
      } else if (line.equals("```json")) {
        block = new StringBuilder();
      } else if (line.equals("```") && block != null) {
        assertThat(fromClient).as("json example outside the frame sections: %s", block).isNotNull();
        out.add(new Example(fromClient, block.toString()));
        block = null;
      } else if (block != null) {
        block.append(line).append('\n');
      }
    }
    return out;
  }

  @Test
  @DisplayName("every JSON example in protocol.md decodes through the real codec and round-trips")
  void examplesDecode() throws IOException {
    List<Example> examples = examples();
    assertThat(examples).hasSizeGreaterThan(30);
    Set<String> clientSeen = new TreeSet<>();
    Set<String> serverSeen = new TreeSet<>();
    for (Example e : examples) {
      assertThatCode(
              () -> {
                if (e.fromClient()) {
                  ClientFrame f = codec.decodeClient(e.json());
                  String again = codec.encode(f);
                  assertThat(codec.encode(codec.decodeClient(again))).isEqualTo(again);
                  clientSeen.add(f.type());
                } else {
                  ServerFrame f = codec.decodeServer(e.json());
                  String again = codec.encode(f);
                  assertThat(codec.encode(codec.decodeServer(again))).isEqualTo(again);
                  serverSeen.add(f.type());
                }
              })
          .as("example %s", e.json())
          .doesNotThrowAnyException();
    }
    assertThat(clientSeen).as("client frames documented").isEqualTo(new TreeSet<>(CLIENT_TYPES));
    assertThat(serverSeen).as("server frames documented").isEqualTo(new TreeSet<>(SERVER_TYPES));
  }

  @Test
  @DisplayName("the AsyncAPI document names every frame type, the subprotocol and the close codes")
  void asyncApiComplete() throws IOException {
    String yaml = Files.readString(docs().resolve("asyncapi.yaml"), StandardCharsets.UTF_8);
    assertThat(yaml).contains("asyncapi: 3.0.0").contains(WireCodec.SUBPROTOCOL);
    for (String type : CLIENT_TYPES) {
      assertThat(yaml).as("client frame %s", type).contains("const: " + type);
    }
    for (String type : SERVER_TYPES) {
      assertThat(yaml).as("server frame %s", type).contains("const: " + type);
    }
    for (int code : new int[] {1001, 1003, 1008, 1009, 4001, 4002, 4003, 4004}) {
      assertThat(yaml).contains(String.valueOf(code));
    }
  }
}
