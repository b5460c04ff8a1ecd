package io.messagingkit.tck;

import static io.messagingkit.tck.StoreContractFixtures.T0;
import static io.messagingkit.tck.StoreContractFixtures.concurrently;
import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.GroupId;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.core.port.IdempotencyStore.Acceptance;
import io.messagingkit.core.port.IdempotencyStore.Accepted;
import io.messagingkit.core.port.IdempotencyStore.Addressed;
import io.messagingkit.core.port.IdempotencyStore.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link IdempotencyStore}: each (sender, message id) moves NEW, IN_PROGRESS,
 * COMPLETED; keeps the sequence, time and recipient of its first acceptance; sequences strictly
 * increase across the store; exactly one concurrent caller sees NEW; purge forgets old keys. Extend
 * it and return a fresh, empty store from {@link #createStore()}.
 */
public abstract class IdempotencyStoreContract {
  protected static final UserId ALICE = UserId.of("alice");
  protected static final UserId BOB = UserId.of("bob");
  protected static final Recipient TO = Recipient.user(UserId.of("carol"));

  protected IdempotencyStore store;

  /** A new store that has accepted nothing; called before each test. */
  protected abstract IdempotencyStore createStore();

  @BeforeEach
  void setUpStore() {
    store = createStore();
  }

  private static MessageId id(String value) {
    return MessageId.of(value);
  }

  @Nested
  @DisplayName("lifecycle of a key")
  class Lifecycle {
    @Test
    @DisplayName("the first acceptance is NEW, with a positive sequence and the given time")
    void firstIsNew() {
      Acceptance a = store.accept(ALICE, id("m1"), TO, T0);
      assertThat(a.status()).isEqualTo(Status.NEW);
      assertThat(a.sequence()).isPositive();
      assertThat(a.acceptedAt()).isEqualTo(T0);
    }

    @Test
    @DisplayName("a repeat before complete is IN_PROGRESS with the first sequence and time")
    void repeatIsInProgress() {
      Acceptance first = store.accept(ALICE, id("m1"), TO, T0);
      Acceptance again = store.accept(ALICE, id("m1"), TO, T0.plusSeconds(30));
      assertThat(again.status()).isEqualTo(Status.IN_PROGRESS);
      assertThat(again.sequence()).isEqualTo(first.sequence());
      assertThat(again.acceptedAt()).isEqualTo(T0);
    }

    @Test
    @DisplayName("after complete a repeat is COMPLETED, still with the first sequence and time")
    void repeatAfterComplete() {
      Acceptance first = store.accept(ALICE, id("m1"), TO, T0);
      store.complete(ALICE, id("m1"));
      Acceptance again = store.accept(ALICE, id("m1"), TO, T0.plusSeconds(60));
      assertThat(again)
          .isEqualTo(new Acceptance(first.sequence(), first.acceptedAt(), Status.COMPLETED));
    }

    @Test
    @DisplayName("complete is idempotent, and ignores unknown keys")
    void completeIdempotent() {
      store.accept(ALICE, id("m1"), TO, T0);
      store.complete(ALICE, id("m1"));
      store.complete(ALICE, id("m1"));
      store.complete(BOB, id("never"));
      assertThat(store.accept(ALICE, id("m1"), TO, T0).status()).isEqualTo(Status.COMPLETED);
      assertThat(store.accept(BOB, id("never"), TO, T0).status()).isEqualTo(Status.NEW);
    }

    @Test
    @DisplayName("completing one key leaves other keys in progress")
    void completeIsPerKey() {
      store.accept(ALICE, id("m1"), TO, T0);
      store.accept(ALICE, id("m2"), TO, T0);
      store.accept(BOB, id("m1"), TO, T0);
      store.complete(ALICE, id("m1"));
      assertThat(store.accept(ALICE, id("m2"), TO, T0).status()).isEqualTo(Status.IN_PROGRESS);
      assertThat(store.accept(BOB, id("m1"), TO, T0).status()).isEqualTo(Status.IN_PROGRESS);
    }
  }

  @Nested
  @DisplayName("in batches")
  class Batches {
    private Addressed key(UserId sender, String id) {
      return new Addressed(sender, id(id), TO);
    }

    @Test
    @DisplayName(
        "acceptAll answers each key as accept would, in order, a repeat within it included")
    void acceptAllLikeAccept() {
      Acceptance m1 = store.accept(ALICE, id("m1"), TO, T0);
      Acceptance m2 = store.accept(ALICE, id("m2"), TO, T0);
      store.complete(ALICE, id("m2"));

      List<Acceptance> all =
          store.acceptAll(
              List.of(
                  key(ALICE, "m1"),
                  key(ALICE, "m2"),
                  key(BOB, "m1"),
                  key(ALICE, "m3"),
                  key(BOB, "m1")),
              T0.plusSeconds(5));

      assertThat(all).hasSize(5);
      assertThat(all.get(0)).isEqualTo(new Acceptance(m1.sequence(), T0, Status.IN_PROGRESS));
      assertThat(all.get(1)).isEqualTo(new Acceptance(m2.sequence(), T0, Status.COMPLETED));
      assertThat(all.get(2).status()).isEqualTo(Status.NEW);
      assertThat(all.get(2).acceptedAt()).isEqualTo(T0.plusSeconds(5));
      assertThat(all.get(3).status()).isEqualTo(Status.NEW);
      assertThat(all.get(4))
          .isEqualTo(new Acceptance(all.get(2).sequence(), T0.plusSeconds(5), Status.IN_PROGRESS));
      assertThat(all.get(3).sequence())
          .isNotEqualTo(all.get(2).sequence())
          .isGreaterThan(m2.sequence());
      assertThat(store.acceptAll(List.of(), T0)).isEmpty();
    }

    @Test
    @DisplayName("completeAll completes every listed key, ignores unknown ones, leaves the rest")
    void completeAllPerKey() {
      store.accept(ALICE, id("m1"), TO, T0);
      store.accept(ALICE, id("m2"), TO, T0);
      store.accept(BOB, id("m1"), TO, T0);

      store.completeAll(
          List.of(key(ALICE, "m1").key(), key(BOB, "m1").key(), key(BOB, "never").key()));
      store.completeAll(List.of(key(ALICE, "m1").key()));
      store.completeAll(List.of());

      assertThat(store.accept(ALICE, id("m1"), TO, T0).status()).isEqualTo(Status.COMPLETED);
      assertThat(store.accept(BOB, id("m1"), TO, T0).status()).isEqualTo(Status.COMPLETED);
      assertThat(store.accept(ALICE, id("m2"), TO, T0).status()).isEqualTo(Status.IN_PROGRESS);
      assertThat(store.accept(BOB, id("never"), TO, T0).status()).isEqualTo(Status.NEW);
    }

    @Test
    @DisplayName("acceptAll over more keys than one lookup takes")
    void acceptAllLarge() {
      List<Addressed> keys = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        keys.add(key(i % 2 == 0 ? ALICE : BOB, "k" + i));
      }
      List<Acceptance> first = store.acceptAll(keys, T0);
      assertThat(first).extracting(Acceptance::status).containsOnly(Status.NEW);
      assertThat(first).extracting(Acceptance::sequence).doesNotHaveDuplicates();
      store.completeAll(keys.subList(0, 600).stream().map(Addressed::key).toList());
      List<Acceptance> again = store.acceptAll(keys, T0.plusSeconds(1));
      for (int i = 0; i < keys.size(); i++) {
        assertThat(again.get(i))
            .isEqualTo(
                new Acceptance(
                    first.get(i).sequence(), T0, i < 600 ? Status.COMPLETED : Status.IN_PROGRESS));
      }
    }
  }

  @Nested
  @DisplayName("keys and sequences")
  class Sequences {
    @Test
    @DisplayName("the same message id from two senders is two keys with two sequences")
    void keyIncludesSender() {
      Acceptance a = store.accept(ALICE, id("m1"), TO, T0);
      Acceptance b = store.accept(BOB, id("m1"), TO, T0);
      assertThat(b.status()).isEqualTo(Status.NEW);
      assertThat(b.sequence()).isNotEqualTo(a.sequence());
    }

    @Test
    @DisplayName("sequences strictly increase across the store in acceptance order")
    void sequencesIncrease() {
      long previous = 0;
      for (int i = 0; i < 30; i++) {
        UserId sender = i % 3 == 0 ? ALICE : BOB;
        long sequence = store.accept(sender, id("m" + i), TO, T0.plusMillis(i)).sequence();
        assertThat(sequence).isGreaterThan(previous);
        previous = sequence;
      }
    }

    @Test
    @DisplayName("a repeated key consumes no new position: later keys still increase")
    void repeatsDoNotDisturbOrder() {
      long first = store.accept(ALICE, id("a"), TO, T0).sequence();
      store.accept(ALICE, id("a"), TO, T0);
      long second = store.accept(ALICE, id("b"), TO, T0).sequence();
      assertThat(second).isGreaterThan(first);
    }
  }

  @Nested
  @DisplayName("recipients")
  class Recipients {
    @Test
    @DisplayName("find answers the recipient and time of the first acceptance, user or group")
    void findsRecipient() {
      Recipient group = Recipient.group(GroupId.of("team"));
      store.accept(ALICE, id("m1"), TO, T0);
      store.acceptAll(List.of(new Addressed(BOB, id("g1"), group)), T0.plusSeconds(1));

      assertThat(store.find(ALICE, id("m1"))).contains(new Accepted(TO, T0));
      assertThat(store.find(BOB, id("g1"))).contains(new Accepted(group, T0.plusSeconds(1)));
    }

    @Test
    @DisplayName("a key never accepted, or another sender's key, is not found")
    void unknownIsEmpty() {
      store.accept(ALICE, id("m1"), TO, T0);
      assertThat(store.find(BOB, id("m1"))).isEmpty();
      assertThat(store.find(ALICE, id("m2"))).isEmpty();
    }

    @Test
    @DisplayName("a resend naming another recipient does not change the recorded one")
    void firstRecipientWins() {
      store.accept(ALICE, id("m1"), TO, T0);
      store.accept(ALICE, id("m1"), Recipient.user(BOB), T0.plusSeconds(1));
      store.acceptAll(
          List.of(new Addressed(ALICE, id("m1"), Recipient.group(GroupId.of("x")))),
          T0.plusSeconds(2));
      assertThat(store.find(ALICE, id("m1"))).contains(new Accepted(TO, T0));
    }

    @Test
    @DisplayName("a purged key is no longer found")
    void purgedIsGone() {
      store.accept(ALICE, id("m1"), TO, T0);
      store.purgeOlderThan(T0.plusSeconds(1));
      assertThat(store.find(ALICE, id("m1"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("retention")
  class Retention {
    @Test
    @DisplayName(
        "purgeOlderThan forgets exactly the keys accepted before the cutoff and counts them")
    void purge() {
      Instant cutoff = T0.plusSeconds(100);
      store.accept(ALICE, id("old1"), TO, T0);
      store.accept(ALICE, id("old2"), TO, cutoff.minusNanos(1));
      store.accept(ALICE, id("edge"), TO, cutoff);
      store.accept(BOB, id("new"), TO, cutoff.plusSeconds(1));
      store.complete(BOB, id("new"));
      assertThat(store.purgeOlderThan(cutoff)).isEqualTo(2);
      assertThat(store.accept(ALICE, id("old1"), TO, cutoff).status()).isEqualTo(Status.NEW);
      assertThat(store.accept(ALICE, id("old2"), TO, cutoff).status()).isEqualTo(Status.NEW);
      assertThat(store.accept(ALICE, id("edge"), TO, cutoff).status())
          .isEqualTo(Status.IN_PROGRESS);
      assertThat(store.accept(BOB, id("new"), TO, cutoff).status()).isEqualTo(Status.COMPLETED);
    }

    @Test
    @DisplayName("purging an empty store, or with nothing old enough, returns 0")
    void purgeNothing() {
      assertThat(store.purgeOlderThan(T0)).isZero();
      store.accept(ALICE, id("m1"), TO, T0);
      assertThat(store.purgeOlderThan(T0)).isZero();
    }

    @Test
    @DisplayName("a purged key accepted again gets a new, larger sequence")
    void purgedKeyIsNew() {
      long first = store.accept(ALICE, id("m1"), TO, T0).sequence();
      store.purgeOlderThan(T0.plusSeconds(1));
      Acceptance again = store.accept(ALICE, id("m1"), TO, T0.plusSeconds(2));
      assertThat(again.status()).isEqualTo(Status.NEW);
      assertThat(again.sequence()).isGreaterThan(first);
      assertThat(again.acceptedAt()).isEqualTo(T0.plusSeconds(2));
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {
    @Test
    @DisplayName(
        "concurrent accepts of one key: exactly one NEW, all with the same sequence and time")
    void sameKey() throws Exception {
      for (int round = 0; round < 5; round++) {
        MessageId key = id("race" + round);
        List<Acceptance> results =
            concurrently(8, t -> store.accept(ALICE, key, TO, T0.plusSeconds(t)));
        assertThat(results).filteredOn(a -> a.status() == Status.NEW).hasSize(1);
        Acceptance winner =
            results.stream().filter(a -> a.status() == Status.NEW).findFirst().orElseThrow();
        assertThat(results)
            .allSatisfy(
                a -> {
                  assertThat(a.sequence()).isEqualTo(winner.sequence());
                  assertThat(a.acceptedAt()).isEqualTo(winner.acceptedAt());
                });
      }
    }

    @Test
    @DisplayName("concurrent accepts of distinct keys all succeed with distinct sequences")
    void distinctKeys() throws Exception {
      List<List<Long>> results =
          concurrently(
              8,
              t -> {
                List<Long> mine = new java.util.ArrayList<>();
                for (int i = 0; i < 20; i++) {
                  Acceptance a = store.accept(UserId.of("u" + t), id("m" + i), TO, T0);
                  assertThat(a.status()).isEqualTo(Status.NEW);
                  mine.add(a.sequence());
                }
                return mine;
              });
      HashSet<Long> all = new HashSet<>();
      results.forEach(
          mine -> {
            assertThat(mine).isSorted();
            all.addAll(mine);
          });
      assertThat(all).hasSize(160);
    }
  }
}
