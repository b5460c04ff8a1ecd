package io.messagingkit.tck;

import static io.messagingkit.tck.StoreContractFixtures.T0;
import static io.messagingkit.tck.StoreContractFixtures.concurrently;
import static io.messagingkit.tck.StoreContractFixtures.media;
import static io.messagingkit.tck.StoreContractFixtures.receipt;
import static io.messagingkit.tck.StoreContractFixtures.text;
import static io.messagingkit.tck.StoreContractFixtures.toGroup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.Conversation;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.HistoryPage;
import io.messagingkit.core.InvalidRequestException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.MessageArchive;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link MessageArchive}: idempotent on (sender, id), receipts not archived, pages
 * newest first by (server timestamp, server sequence), cursors that never skip nor repeat a message
 * while newer ones arrive, and refusal of foreign cursors. Extend it and return a fresh, empty
 * archive from {@link #createArchive()}.
 */
public abstract class MessageArchiveContract {
  protected static final UserId ALICE = UserId.of("alice");
  protected static final UserId BOB = UserId.of("bob");
  protected static final Conversation ALICE_BOB = Conversation.direct(ALICE, BOB);

  protected MessageArchive archive;

  /** A new archive holding nothing; called before each test. */
  protected abstract MessageArchive createArchive();

  @BeforeEach
  void setUpArchive() {
    archive = createArchive();
  }

  /** A message from alice or bob at T0 + i seconds, sequence i. */
  private static Envelope chat(int i) {
    String from = i % 2 == 0 ? "alice" : "bob";
    String to = i % 2 == 0 ? "bob" : "alice";
    return text(from, to, "m" + i, T0.plusSeconds(i)).withServerSequence(i + 1);
  }

  private List<Envelope> all(Conversation c, int pageSize) {
    List<Envelope> seen = new ArrayList<>();
    String cursor = null;
    do {
      HistoryPage page = archive.page(c, cursor, pageSize);
      assertThat(page.messages()).hasSizeLessThanOrEqualTo(pageSize);
      seen.addAll(page.messages());
      cursor = page.nextCursor();
    } while (cursor != null);
    return seen;
  }

  private static List<Envelope> newestFirst(List<Envelope> messages) {
    List<Envelope> copy = new ArrayList<>(messages);
    java.util.Collections.reverse(copy);
    return copy;
  }

  @Nested
  @DisplayName("storing")
  class Storing {
    @Test
    @DisplayName("a direct conversation is the same from both sides and holds both directions")
    void bothSides() {
      Envelope a = chat(0);
      Envelope b = chat(1);
      archive.append(a);
      archive.append(b);
      assertThat(archive.page(Conversation.direct(ALICE, BOB), null, 10).messages())
          .containsExactly(b, a);
      assertThat(archive.page(Conversation.direct(BOB, ALICE), null, 10).messages())
          .containsExactly(b, a);
    }

    @Test
    @DisplayName("every field comes back exactly, nanoseconds and binary bodies included")
    void roundTrip() {
      Envelope m = media("alice", "bob", "p1");
      Envelope g = toGroup("alice", "team", "g1", T0.plusNanos(999_999_999));
      archive.append(m);
      archive.append(g);
      assertThat(archive.page(ALICE_BOB, null, 10).messages()).containsExactly(m);
      assertThat(archive.page(Conversation.group(GroupId.of("team")), null, 10).messages())
          .containsExactly(g);
    }

    @Test
    @DisplayName("appending the same (sender, id) twice stores it once")
    void idempotent() {
      Envelope a = chat(0);
      archive.append(a);
      archive.append(a);
      archive.appendAll(List.of(a, chat(1), chat(1)));
      assertThat(archive.page(ALICE_BOB, null, 10).messages()).containsExactly(chat(1), a);
    }

    @Test
    @DisplayName("receipts are not archived")
    void receiptsSkipped() {
      archive.append(receipt("bob", "alice", "bob:read:m0", "m0"));
      archive.appendAll(List.of(receipt("bob", "alice", "bob:delivered:m0", "m0")));
      assertThat(archive.page(ALICE_BOB, null, 10).messages()).isEmpty();
    }

    @Test
    @DisplayName("appendAll stores every message")
    void appendAll() {
      List<Envelope> batch = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        batch.add(chat(i));
      }
      archive.appendAll(batch);
      assertThat(all(ALICE_BOB, 7)).containsExactlyElementsOf(newestFirst(batch));
    }

    @Test
    @DisplayName("conversations are isolated: a page holds only its conversation")
    void isolation() {
      archive.append(chat(0));
      archive.append(text("alice", "carol", "c1", T0));
      archive.append(toGroup("alice", "team", "g1", T0));
      assertThat(archive.page(ALICE_BOB, null, 10).messages()).containsExactly(chat(0));
      assertThat(archive.page(Conversation.direct(ALICE, UserId.of("carol")), null, 10).messages())
          .extracting(e -> e.id().value())
          .containsExactly("c1");
      assertThat(archive.page(Conversation.direct(BOB, UserId.of("carol")), null, 10).messages())
          .isEmpty();
    }
  }

  @Nested
  @DisplayName("paging")
  class Paging {
    @Test
    @DisplayName("an empty conversation is one empty page without a cursor")
    void empty() {
      HistoryPage page = archive.page(ALICE_BOB, null, 10);
      assertThat(page.messages()).isEmpty();
      assertThat(page.nextCursor()).isNull();
    }

    @Test
    @DisplayName("pages are newest first by server timestamp, ties broken by server sequence")
    void order() {
      Envelope early = text("alice", "bob", "early", T0).withServerSequence(5);
      Envelope tieLow = text("bob", "alice", "tieLow", T0.plusNanos(1)).withServerSequence(6);
      Envelope tieHigh = text("alice", "bob", "tieHigh", T0.plusNanos(1)).withServerSequence(9);
      Envelope late =
          text("bob", "alice", "late", T0.plusSeconds(86_400 * 40)).withServerSequence(1);
      archive.appendAll(List.of(tieHigh, late, early, tieLow));
      assertThat(archive.page(ALICE_BOB, null, 10).messages())
          .containsExactly(late, tieHigh, tieLow, early);
    }

    @Test
    @DisplayName("the cursor walk visits every message once, newest first, in pages of limit")
    void walk() {
      List<Envelope> sent = new ArrayList<>();
      for (int i = 0; i < 23; i++) {
        sent.add(chat(i));
        archive.append(chat(i));
      }
      HistoryPage first = archive.page(ALICE_BOB, null, 5);
      assertThat(first.messages()).containsExactlyElementsOf(newestFirst(sent).subList(0, 5));
      assertThat(first.nextCursor()).isNotNull();
      assertThat(all(ALICE_BOB, 5)).containsExactlyElementsOf(newestFirst(sent));
      assertThat(all(ALICE_BOB, 1)).containsExactlyElementsOf(newestFirst(sent));
      assertThat(all(ALICE_BOB, 100)).containsExactlyElementsOf(newestFirst(sent));
    }

    @Test
    @DisplayName("the last page has no cursor, also when it is exactly full")
    void lastPage() {
      for (int i = 0; i < 6; i++) {
        archive.append(chat(i));
      }
      HistoryPage first = archive.page(ALICE_BOB, null, 3);
      assertThat(first.nextCursor()).isNotNull();
      HistoryPage second = archive.page(ALICE_BOB, first.nextCursor(), 3);
      assertThat(second.messages()).hasSize(3);
      assertThat(second.nextCursor()).isNull();
      assertThat(archive.page(ALICE_BOB, null, 6).nextCursor()).isNull();
    }

    @Test
    @DisplayName("a cursor stays valid while newer messages arrive: no skip, no repeat")
    void stableUnderInserts() {
      for (int i = 0; i < 10; i++) {
        archive.append(chat(i));
      }
      HistoryPage first = archive.page(ALICE_BOB, null, 4);
      for (int i = 10; i < 20; i++) {
        archive.append(chat(i));
      }
      List<Envelope> rest = new ArrayList<>();
      String cursor = first.nextCursor();
      while (cursor != null) {
        HistoryPage page = archive.page(ALICE_BOB, cursor, 4);
        rest.addAll(page.messages());
        cursor = page.nextCursor();
      }
      List<Envelope> expected = new ArrayList<>();
      for (int i = 5; i >= 0; i--) {
        expected.add(chat(i));
      }
      assertThat(first.messages()).containsExactly(chat(9), chat(8), chat(7), chat(6));
      assertThat(rest).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("messages months apart page in order across month boundaries")
    void acrossMonths() {
      List<Envelope> sent = new ArrayList<>();
      Instant start = Instant.parse("2025-12-31T23:59:59.999999999Z");
      for (int i = 0; i < 12; i++) {
        Envelope e =
            text("alice", "bob", "month" + i, start.plusSeconds(86_400L * 17 * i))
                .withServerSequence(100 + i);
        sent.add(e);
      }
      archive.appendAll(sent);
      assertThat(all(ALICE_BOB, 5)).containsExactlyElementsOf(newestFirst(sent));
    }

    @Test
    @DisplayName("a cursor the archive did not make is refused with InvalidRequestException")
    void foreignCursor() {
      archive.append(chat(0));
      for (String bad : foreignCursors()) {
        assertThatThrownBy(() -> archive.page(ALICE_BOB, bad, 10))
            .as("cursor %s", bad)
            .isInstanceOf(InvalidRequestException.class);
      }
    }

    @Test
    @DisplayName(
        "a well-formed cursor naming an out-of-range time or position is refused with"
            + " InvalidRequestException, whose message carries no parser text")
    void outOfRangeCursor() {
      archive.append(chat(0));
      for (String raw :
          List.of(
              "99999999999999999:0:1:alice:x",
              "-99999999999999999:0:1:alice:x",
              "253402300800:0:1:alice:x",
              "1:-5:1:alice:x",
              "1:1000000000:1:alice:x",
              "1:0:99999999999999999999:alice:x",
              "x1:0:1:alice:x")) {
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes());
        for (String prefix : List.of("m1.", "j1.")) {
          assertThatThrownBy(() -> archive.page(ALICE_BOB, prefix + body, 10))
              .as("cursor %s%s", prefix, raw)
              .isInstanceOf(InvalidRequestException.class)
              .message()
              .doesNotContain("For input string")
              .doesNotContain("Exception");
        }
      }
    }

    private List<String> foreignCursors() {
      String base64 = Base64.getUrlEncoder().withoutPadding().encodeToString("1:2:3".getBytes());
      return List.of("", "garbage", "%%%", base64, "m1." + base64, "j1." + base64, "j1.!!");
    }

    @Test
    @DisplayName("a cursor from one conversation pages nothing of another's newer messages")
    void cursorIsPositional() {
      for (int i = 0; i < 6; i++) {
        archive.append(chat(i));
      }
      String cursor = archive.page(ALICE_BOB, null, 2).nextCursor();
      @Nullable String none =
          archive.page(Conversation.direct(ALICE, UserId.of("carol")), cursor, 10).nextCursor();
      assertThat(none).isNull();
      assertThat(
              archive.page(Conversation.direct(ALICE, UserId.of("carol")), cursor, 10).messages())
          .isEmpty();
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {
    @Test
    @DisplayName("concurrent appends of one message store it once")
    void sameMessage() throws Exception {
      Envelope e = chat(0);
      concurrently(
          8,
          t -> {
            archive.append(e);
            return null;
          });
      assertThat(archive.page(ALICE_BOB, null, 10).messages()).containsExactly(e);
    }

    @Test
    @DisplayName("concurrent appends of distinct messages all land")
    void distinctMessages() throws Exception {
      concurrently(
          8,
          t -> {
            for (int i = 0; i < 10; i++) {
              archive.append(chat(t * 10 + i));
            }
            return null;
          });
      assertThat(all(ALICE_BOB, 13)).hasSize(80);
    }
  }
}
