package io.messagingkit.adversarial.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.transport.websocket.protocol.ClientFrame;
import io.messagingkit.transport.websocket.protocol.FrameException;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The codec alone under the frame grammar, fast: whatever text arrives, {@link
 * WireCodec#decodeClient} returns a frame or throws {@link FrameException} with {@code
 * invalid_request} and a message free of internals, never anything else; and every frame it accepts
 * encodes to text that decodes to an equal frame of the same type.
 */
class WireCodecFuzzTest {
  private final WireCodec codec = new WireCodec();
  private final FrameGrammar grammar =
      new FrameGrammar(List.of("fuzz0", "fuzz1", "fuzz2"), List.of("g0", "g1"), 64 * 1024);

  @Provide
  Arbitrary<String> frames() {
    return grammar.frames();
  }

  @Property(tries = 10_000)
  @Label("any text decodes to a frame or to a clean invalid_request, never another exception")
  void decodeNeverFails(@ForAll("frames") String text) throws Exception {
    try {
      ClientFrame frame = codec.decodeClient(text);
      String again = codec.encode(frame);
      ClientFrame back = codec.decodeClient(again);
      assertThat(back.type()).isEqualTo(frame.type());
      // As JSON trees: the order of a map's keys (PUSH_REGISTER keys) is not part of the frame.
      assertThat(FrameGrammar.JSON.readTree(codec.encode(back)))
          .isEqualTo(FrameGrammar.JSON.readTree(again));
    } catch (FrameException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      assertThat(e.getMessage()).doesNotContainPattern(WireFrameFuzzTest.INTERNALS);
      if (e.ref() != null) {
        assertThat(e.ref().length()).isBetween(1, 200);
      }
    }
  }

  @Property(tries = 3_000)
  @Label("structured frames of every type decode or fail cleanly")
  void structured(@ForAll("structuredFrames") String text) throws Exception {
    decodeNeverFails(text);
  }

  @Provide
  Arbitrary<String> structuredFrames() {
    return grammar.structured().map(FrameGrammar::write);
  }
}
