package io.messagingkit.adversarial.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.transport.websocket.protocol.ClientFrame;
import io.messagingkit.transport.websocket.protocol.FrameException;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The codec alone under the frame grammar, fast: whatever text arrives, {@link
 * WireCodec#decodeClient} returns a frame or throws {@link FrameException} with {@code
 * invalid_request} and a message free of internals, never anything else; and every frame it accepts
 * encodes to text that decodes to an equal frame of the same type. The frames come from a seed
 * ({@link FuzzSeed}: printed, named in every failure, set with {@code -Dfuzz.seed=}).
 */
class WireCodecFuzzTest {
  static final int TRIES = 10_000;
  static final int STRUCTURED_TRIES = 3_000;

  private final WireCodec codec = new WireCodec();
  private final FrameGrammar grammar =
      new FrameGrammar(List.of("fuzz0", "fuzz1", "fuzz2"), List.of("g0", "g1"), 64 * 1024);

  @Test
  @DisplayName("any text decodes to a frame or to a clean invalid_request, never another exception")
  void decodeNeverFails() {
    run("codec frames", grammar.frames(), TRIES);
  }

  @Test
  @DisplayName("structured frames of every type decode or fail cleanly")
  void structured() {
    run("codec structured frames", grammar.structured().map(FrameGrammar::write), STRUCTURED_TRIES);
  }

  private void run(String name, Gen<String> frames, int tries) {
    FuzzSeed seed = FuzzSeed.forRun(name);
    SplittableRandom random = seed.random();
    for (int i = 0; i < tries; i++) {
      String text = frames.next(random);
      try {
        decodesOrFailsCleanly(text);
      } catch (Throwable e) {
        throw seed.failure(
            "try " + i + " of " + tries + ", frame " + WireFrameFuzzTest.abbreviate(text), e);
      }
    }
  }

  private void decodesOrFailsCleanly(String text) throws Exception {
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
}
