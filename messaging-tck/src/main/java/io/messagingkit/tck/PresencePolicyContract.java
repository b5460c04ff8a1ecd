package io.messagingkit.tck;

import static io.messagingkit.tck.StoreContractFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.UserId;
import io.messagingkit.core.memory.InMemoryContactGraph;
import io.messagingkit.core.memory.InMemoryGroupDirectory;
import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.PresencePolicy;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link PresencePolicy}: presence and last seen are shown only with the subject's
 * consent. A user sees itself; a stranger sees nothing; writing to someone, or adding someone to a
 * group, earns the writer nothing; the subject's own direct message to a user is consent; {@link
 * PresencePolicy#maySee} and {@link PresencePolicy#audience} agree.
 *
 * <p>The contract records what happened through the ports the chat server feeds: a direct message
 * from {@code a} to {@code b} is {@code contacts.link(a, b)}; groups live in the group directory.
 * Extend it and build the policy under test on the given ports in {@link #createPolicy}; override
 * {@link #createContactGraph()} and {@link #createGroupDirectory()} to run it on other adapters.
 */
public abstract class PresencePolicyContract {
  protected static final UserId ALICE = UserId.of("alice");
  protected static final UserId BOB = UserId.of("bob");
  protected static final UserId CAROL = UserId.of("carol");
  protected static final UserId MALLORY = UserId.of("mallory");

  protected ContactGraph contacts;
  protected GroupDirectory groups;
  protected PresencePolicy policy;

  /** The policy under test, reading what it needs from {@code contacts} and {@code groups}. */
  protected abstract PresencePolicy createPolicy(ContactGraph contacts, GroupDirectory groups);

  /** A fresh, empty contact graph; called before each test. In memory unless overridden. */
  protected ContactGraph createContactGraph() {
    return new InMemoryContactGraph();
  }

  /** A fresh, empty group directory; called before each test. In memory unless overridden. */
  protected GroupDirectory createGroupDirectory() {
    return new InMemoryGroupDirectory();
  }

  @BeforeEach
  void setUpPolicy() {
    contacts = createContactGraph();
    groups = createGroupDirectory();
    policy = createPolicy(contacts, groups);
  }

  /** {@code from} sent a direct message to {@code to}. */
  private void wrote(UserId from, UserId to) {
    contacts.link(from, to);
  }

  /** {@code creator} made a group and put {@code members} in it, without asking them. */
  private GroupId groupOf(String id, UserId creator, UserId... members) {
    GroupId group = GroupId.of(id);
    groups.create(new GroupInfo(group, id, creator, T0));
    for (UserId member : members) {
      groups.addMember(group, member, false, T0.plusSeconds(1));
    }
    return group;
  }

  @Nested
  @DisplayName("without consent")
  class WithoutConsent {
    @Test
    @DisplayName("a user always sees its own presence, and is never in its own audience")
    void self() {
      assertThat(policy.maySee(ALICE, ALICE)).isTrue();
      wrote(ALICE, BOB);
      assertThat(policy.audience(ALICE)).doesNotContain(ALICE);
    }

    @Test
    @DisplayName("a stranger with no conversation sees nothing and is in no audience")
    void stranger() {
      assertThat(policy.maySee(MALLORY, ALICE)).isFalse();
      assertThat(policy.audience(ALICE)).isEmpty();
    }

    @Test
    @DisplayName("writing unsolicited to someone does not let the writer see them")
    void unsolicitedMessage() {
      wrote(MALLORY, ALICE);
      assertThat(policy.maySee(MALLORY, ALICE)).isFalse();
      assertThat(policy.audience(ALICE)).doesNotContain(MALLORY);
    }

    @Test
    @DisplayName("adding someone to a group does not let the group's creator or members see them")
    void addedToGroup() {
      groupOf("trap", MALLORY, ALICE, CAROL);
      assertThat(policy.maySee(MALLORY, ALICE)).isFalse();
      assertThat(policy.maySee(CAROL, ALICE)).isFalse();
      assertThat(policy.audience(ALICE)).doesNotContain(MALLORY, CAROL);
    }

    @Test
    @DisplayName("consent given to one user does not extend to others")
    void consentIsPersonal() {
      wrote(ALICE, BOB);
      wrote(BOB, CAROL);
      assertThat(policy.maySee(CAROL, ALICE)).isFalse();
      assertThat(policy.maySee(MALLORY, ALICE)).isFalse();
      assertThat(policy.audience(ALICE)).doesNotContain(CAROL, MALLORY);
    }
  }

  @Nested
  @DisplayName("with consent")
  class WithConsent {
    @Test
    @DisplayName("the subject's own direct message lets the addressee see it")
    void subjectWrote() {
      wrote(ALICE, BOB);
      assertThat(policy.maySee(BOB, ALICE)).isTrue();
      assertThat(policy.audience(ALICE)).contains(BOB);
    }

    @Test
    @DisplayName("a reply is consent: after it, both sides see each other")
    void reply() {
      wrote(MALLORY, ALICE);
      wrote(ALICE, MALLORY);
      assertThat(policy.maySee(MALLORY, ALICE)).isTrue();
      assertThat(policy.maySee(ALICE, MALLORY)).isTrue();
    }

    @Test
    @DisplayName("consent is one-way: the subject does not thereby see the addressee")
    void oneWay() {
      wrote(ALICE, BOB);
      assertThat(policy.maySee(ALICE, BOB)).isFalse();
      assertThat(policy.audience(BOB)).doesNotContain(ALICE);
    }
  }

  @Nested
  @DisplayName("consistency")
  class Consistency {
    @Test
    @DisplayName("maySee(w, s) holds exactly for the members of audience(s), for every pair")
    void maySeeMatchesAudience() {
      wrote(ALICE, BOB);
      wrote(CAROL, ALICE);
      wrote(MALLORY, BOB);
      groupOf("g", CAROL, BOB, MALLORY);
      List<UserId> users = List.of(ALICE, BOB, CAROL, MALLORY);
      for (UserId subject : users) {
        for (UserId watcher : users) {
          if (!watcher.equals(subject)) {
            assertThat(policy.maySee(watcher, subject))
                .as("%s may see %s", watcher, subject)
                .isEqualTo(policy.audience(subject).contains(watcher));
          }
        }
      }
    }
  }
}
