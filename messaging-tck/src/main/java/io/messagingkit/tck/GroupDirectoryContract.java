package io.messagingkit.tck;

import static io.messagingkit.tck.StoreContractFixtures.T0;
import static io.messagingkit.tck.StoreContractFixtures.concurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.ConflictException;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.GroupDirectory;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link GroupDirectory}: the (group, member, is_admin) table with its creator as
 * first admin, idempotent membership changes, lists ordered by id (case-sensitive, as {@link
 * String#compareTo}), empty results for absent groups. Extend it and return a fresh, empty
 * directory from {@link #createDirectory()}.
 */
public abstract class GroupDirectoryContract {
  protected static final GroupId TEAM = GroupId.of("team");
  protected static final UserId ALICE = UserId.of("alice");
  protected static final UserId BOB = UserId.of("bob");
  protected static final UserId CAROL = UserId.of("carol");

  protected GroupDirectory groups;

  /** A new directory with no group; called before each test. */
  protected abstract GroupDirectory createDirectory();

  @BeforeEach
  void setUpDirectory() {
    groups = createDirectory();
  }

  /** When members other than the creator join, unless a test says otherwise. */
  private static final Instant T1 = T0.plusSeconds(60);

  private GroupInfo team() {
    return new GroupInfo(TEAM, "The Team ☕ équipe", ALICE, T0);
  }

  @Nested
  @DisplayName("creating and finding")
  class Creating {
    @Test
    @DisplayName("create returns the group and find returns it exactly, nanoseconds included")
    void createAndFind() {
      assertThat(groups.create(team())).isEqualTo(team());
      assertThat(groups.find(TEAM)).contains(team());
    }

    @Test
    @DisplayName("the creator is the first member and an admin")
    void creatorIsAdmin() {
      groups.create(team());
      assertThat(groups.members(TEAM)).containsExactly(new GroupMember(TEAM, ALICE, true));
      assertThat(groups.membership(TEAM, ALICE)).contains(new GroupMember(TEAM, ALICE, true));
      assertThat(groups.groupsOf(ALICE)).containsExactly(TEAM);
    }

    @Test
    @DisplayName(
        "countCreatedBy counts the existing groups a user created, members or not, until deleted")
    void countCreated() {
      assertThat(groups.countCreatedBy(ALICE)).isZero();
      groups.create(team());
      groups.create(new GroupInfo(GroupId.of("two"), "Two", ALICE, T0));
      groups.create(new GroupInfo(GroupId.of("bobs"), "Bob's", BOB, T0));
      groups.addMember(TEAM, BOB, true, T0);
      groups.removeMember(TEAM, ALICE);
      assertThat(groups.countCreatedBy(ALICE)).isEqualTo(2);
      assertThat(groups.countCreatedBy(BOB)).isEqualTo(1);
      groups.delete(TEAM);
      assertThat(groups.countCreatedBy(ALICE)).isEqualTo(1);
      assertThat(groups.countCreatedBy(CAROL)).isZero();
    }

    @Test
    @DisplayName("creating a taken id fails with ConflictException and changes nothing")
    void duplicate() {
      groups.create(team());
      groups.addMember(TEAM, BOB, false, T1);
      assertThatThrownBy(() -> groups.create(new GroupInfo(TEAM, "other", CAROL, T0)))
          .isInstanceOf(ConflictException.class);
      assertThat(groups.find(TEAM)).contains(team());
      assertThat(groups.members(TEAM)).extracting(GroupMember::member).containsExactly(ALICE, BOB);
      assertThat(groups.groupsOf(CAROL)).isEmpty();
    }

    @Test
    @DisplayName("an absent group is empty everywhere")
    void absent() {
      GroupId none = GroupId.of("none");
      assertThat(groups.find(none)).isEmpty();
      assertThat(groups.members(none)).isEmpty();
      assertThat(groups.membership(none, ALICE)).isEmpty();
      assertThat(groups.groupsOf(ALICE)).isEmpty();
      assertThat(groups.removeMember(none, ALICE)).isFalse();
      assertThat(groups.setAdmin(none, ALICE, true)).isFalse();
      assertThat(groups.delete(none)).isFalse();
    }
  }

  @Nested
  @DisplayName("membership")
  class Membership {
    @Test
    @DisplayName("addMember returns true the first time and false after, changing nothing")
    void addTwice() {
      groups.create(team());
      assertThat(groups.addMember(TEAM, BOB, false, T1)).isTrue();
      assertThat(groups.addMember(TEAM, BOB, true, T1)).isFalse();
      assertThat(groups.membership(TEAM, BOB)).contains(new GroupMember(TEAM, BOB, false));
    }

    @Test
    @DisplayName("addMember to an absent group fails with NotFoundException")
    void addToAbsent() {
      assertThatThrownBy(() -> groups.addMember(GroupId.of("none"), BOB, false, T1))
          .isInstanceOf(NotFoundException.class);
      assertThat(groups.groupsOf(BOB)).isEmpty();
    }

    @Test
    @DisplayName("removeMember returns whether it was a member and updates every view")
    void remove() {
      groups.create(team());
      groups.addMember(TEAM, BOB, false, T1);
      assertThat(groups.removeMember(TEAM, BOB)).isTrue();
      assertThat(groups.removeMember(TEAM, BOB)).isFalse();
      assertThat(groups.removeMember(TEAM, CAROL)).isFalse();
      assertThat(groups.membership(TEAM, BOB)).isEmpty();
      assertThat(groups.groupsOf(BOB)).isEmpty();
      assertThat(groups.members(TEAM)).extracting(GroupMember::member).containsExactly(ALICE);
    }

    @Test
    @DisplayName("setAdmin grants and revokes for members and returns false for non-members")
    void setAdmin() {
      groups.create(team());
      groups.addMember(TEAM, BOB, false, T1);
      assertThat(groups.setAdmin(TEAM, BOB, true)).isTrue();
      assertThat(groups.membership(TEAM, BOB)).contains(new GroupMember(TEAM, BOB, true));
      assertThat(groups.setAdmin(TEAM, BOB, true)).isTrue();
      assertThat(groups.setAdmin(TEAM, ALICE, false)).isTrue();
      assertThat(groups.membership(TEAM, ALICE)).contains(new GroupMember(TEAM, ALICE, false));
      assertThat(groups.setAdmin(TEAM, CAROL, true)).isFalse();
      assertThat(groups.membership(TEAM, CAROL)).isEmpty();
    }

    @Test
    @DisplayName("members are ordered by member id, case-sensitively as String.compareTo")
    void membersOrdered() {
      groups.create(team());
      for (String m : List.of("zed", "Bob", "bob", "_x", "Alice", "a.b", "a-b", "9lives")) {
        groups.addMember(TEAM, UserId.of(m), m.startsWith("a"), T1);
      }
      List<String> ids = groups.members(TEAM).stream().map(m -> m.member().value()).toList();
      assertThat(ids)
          .containsExactly("9lives", "Alice", "Bob", "_x", "a-b", "a.b", "alice", "bob", "zed");
      assertThat(groups.membership(TEAM, UserId.of("Bob")))
          .contains(new GroupMember(TEAM, UserId.of("Bob"), false));
    }

    @Test
    @DisplayName("groupsOf lists a user's groups ordered by group id")
    void groupsOfOrdered() {
      for (String g : List.of("gamma", "Alpha", "beta", "alpha")) {
        groups.create(new GroupInfo(GroupId.of(g), g, BOB, T0));
      }
      groups.create(new GroupInfo(GroupId.of("other"), "other", CAROL, T0));
      assertThat(groups.groupsOf(BOB))
          .extracting(GroupId::value)
          .containsExactly("Alpha", "alpha", "beta", "gamma");
    }
  }

  @Nested
  @DisplayName("join times")
  class JoinTimes {
    @Test
    @DisplayName("the creator joined when the group was created, nanoseconds included")
    void creatorJoinedAtCreation() {
      GroupInfo precise = new GroupInfo(TEAM, "t", ALICE, T0.plusNanos(123_456_789));
      groups.create(precise);
      assertThat(groups.memberSince(TEAM, ALICE)).contains(T0.plusNanos(123_456_789));
    }

    @Test
    @DisplayName("an added member joined at the time given, and adding it again changes nothing")
    void addedMemberJoinTime() {
      groups.create(team());
      groups.addMember(TEAM, BOB, false, T1.plusNanos(7));
      groups.addMember(TEAM, BOB, false, T1.plusSeconds(30));
      assertThat(groups.memberSince(TEAM, BOB)).contains(T1.plusNanos(7));
    }

    @Test
    @DisplayName("a member removed and added again joined at its last addition")
    void reAddedMemberRejoins() {
      groups.create(team());
      groups.addMember(TEAM, BOB, false, T1);
      groups.removeMember(TEAM, BOB);
      assertThat(groups.memberSince(TEAM, BOB)).isEmpty();
      groups.addMember(TEAM, BOB, false, T1.plusSeconds(3600));
      assertThat(groups.memberSince(TEAM, BOB)).contains(T1.plusSeconds(3600));
    }

    @Test
    @DisplayName("a non-member, an absent group and a deleted group have no join time")
    void noJoinTime() {
      groups.create(team());
      assertThat(groups.memberSince(TEAM, CAROL)).isEmpty();
      assertThat(groups.memberSince(GroupId.of("none"), ALICE)).isEmpty();
      groups.addMember(TEAM, BOB, false, T1);
      groups.delete(TEAM);
      assertThat(groups.memberSince(TEAM, BOB)).isEmpty();
      groups.create(new GroupInfo(TEAM, "again", CAROL, T1.plusSeconds(9)));
      assertThat(groups.memberSince(TEAM, BOB)).isEmpty();
      assertThat(groups.memberSince(TEAM, CAROL)).contains(T1.plusSeconds(9));
    }
  }

  @Nested
  @DisplayName("deleting")
  class Deleting {
    @Test
    @DisplayName("delete removes the group and its memberships and returns whether it existed")
    void delete() {
      groups.create(team());
      groups.addMember(TEAM, BOB, false, T1);
      assertThat(groups.delete(TEAM)).isTrue();
      assertThat(groups.delete(TEAM)).isFalse();
      assertThat(groups.find(TEAM)).isEmpty();
      assertThat(groups.members(TEAM)).isEmpty();
      assertThat(groups.groupsOf(ALICE)).isEmpty();
      assertThat(groups.groupsOf(BOB)).isEmpty();
    }

    @Test
    @DisplayName("a deleted group's id can be created again, with no old member")
    void recreate() {
      groups.create(team());
      groups.addMember(TEAM, BOB, true, T1);
      groups.delete(TEAM);
      GroupInfo again = new GroupInfo(TEAM, "again", CAROL, T0.plusSeconds(5));
      groups.create(again);
      assertThat(groups.find(TEAM)).contains(again);
      assertThat(groups.members(TEAM)).containsExactly(new GroupMember(TEAM, CAROL, true));
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {
    @Test
    @DisplayName("concurrent adds of distinct members all land")
    void distinctMembers() throws Exception {
      groups.create(team());
      List<Boolean> added =
          concurrently(8, t -> groups.addMember(TEAM, UserId.of("member" + t), false, T1));
      assertThat(added).containsOnly(true);
      assertThat(groups.members(TEAM)).hasSize(9);
    }

    @Test
    @DisplayName("concurrent adds of one member: exactly one returns true")
    void sameMember() throws Exception {
      groups.create(team());
      List<Boolean> added = concurrently(8, t -> groups.addMember(TEAM, BOB, false, T1));
      assertThat(added).containsOnlyOnce(true);
      assertThat(groups.members(TEAM)).hasSize(2);
    }

    @Test
    @DisplayName("concurrent creates of one id: exactly one wins, the others get ConflictException")
    void sameGroup() throws Exception {
      List<String> outcomes =
          concurrently(
              6,
              t -> {
                try {
                  groups.create(new GroupInfo(TEAM, "t" + t, UserId.of("u" + t), T0));
                  return "created";
                } catch (ConflictException e) {
                  return "conflict";
                }
              });
      assertThat(outcomes).containsOnlyOnce("created");
      assertThat(groups.members(TEAM)).hasSize(1);
    }
  }
}
