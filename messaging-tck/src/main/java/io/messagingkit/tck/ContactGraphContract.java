package io.messagingkit.tck;

import static io.messagingkit.tck.StoreContractFixtures.concurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.UserId;
import io.messagingkit.core.port.ContactGraph;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ContactGraph}: directed (writer to addressee), idempotent links; an empty
 * set for a user with none; no self-links. Extend it and return a fresh, empty graph from {@link
 * #createGraph()}.
 */
public abstract class ContactGraphContract {
  protected static final UserId ALICE = UserId.of("alice");
  protected static final UserId BOB = UserId.of("bob");
  protected static final UserId CAROL = UserId.of("carol");

  protected ContactGraph contacts;

  /** A new graph without links; called before each test. */
  protected abstract ContactGraph createGraph();

  @BeforeEach
  void setUpGraph() {
    contacts = createGraph();
  }

  @Nested
  @DisplayName("links")
  class Links {
    @Test
    @DisplayName("a link is directed: the writer lists the addressee, not the other way round")
    void directed() {
      contacts.link(ALICE, BOB);
      assertThat(contacts.contactsOf(ALICE)).containsExactly(BOB);
      assertThat(contacts.contactsOf(BOB)).isEmpty();
    }

    @Test
    @DisplayName("linking again changes nothing; the reply links the other direction")
    void idempotent() {
      contacts.link(ALICE, BOB);
      contacts.link(ALICE, BOB);
      assertThat(contacts.contactsOf(BOB)).isEmpty();
      contacts.link(BOB, ALICE);
      assertThat(contacts.contactsOf(ALICE)).containsExactly(BOB);
      assertThat(contacts.contactsOf(BOB)).containsExactly(ALICE);
    }

    @Test
    @DisplayName("a user collects everyone it wrote to; ids compare case-sensitively")
    void several() {
      contacts.link(ALICE, BOB);
      contacts.link(ALICE, CAROL);
      contacts.link(CAROL, ALICE);
      contacts.link(UserId.of("Alice"), CAROL);
      assertThat(contacts.contactsOf(ALICE)).containsExactlyInAnyOrder(BOB, CAROL);
      assertThat(contacts.contactsOf(BOB)).isEmpty();
      assertThat(contacts.contactsOf(CAROL)).containsExactly(ALICE);
      assertThat(contacts.contactsOf(UserId.of("Alice"))).containsExactly(CAROL);
    }

    @Test
    @DisplayName("a user without links has an empty set")
    void none() {
      assertThat(contacts.contactsOf(UserId.of("nobody"))).isEmpty();
    }

    @Test
    @DisplayName("a user cannot be linked with itself")
    void self() {
      assertThatThrownBy(() -> contacts.link(ALICE, ALICE))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(contacts.contactsOf(ALICE)).isEmpty();
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {
    @Test
    @DisplayName("concurrent links of one pair, in both directions, leave one link each way")
    void samePair() throws Exception {
      concurrently(
          8,
          t -> {
            if (t % 2 == 0) {
              contacts.link(ALICE, BOB);
            } else {
              contacts.link(BOB, ALICE);
            }
            return null;
          });
      assertThat(contacts.contactsOf(ALICE)).containsExactly(BOB);
      assertThat(contacts.contactsOf(BOB)).containsExactly(ALICE);
    }

    @Test
    @DisplayName("concurrent links to distinct users all land")
    void distinct() throws Exception {
      concurrently(
          8,
          t -> {
            contacts.link(ALICE, UserId.of("friend" + t));
            return null;
          });
      assertThat(contacts.contactsOf(ALICE)).hasSize(8);
    }
  }
}
