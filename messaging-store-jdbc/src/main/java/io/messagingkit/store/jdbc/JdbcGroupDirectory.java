package io.messagingkit.store.jdbc;

import io.messagingkit.core.ConflictException;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.GroupInfo;
import io.messagingkit.core.GroupMember;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.GroupDirectory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;

/**
 * A {@link GroupDirectory} in a relational database: the seed's (group_id, member_id, is_admin)
 * table {@code mk_group_member} (with each member's join time), indexed by member to list a user's
 * groups, and {@code mk_group} for names; deleting a group cascades to its memberships. Identifiers
 * compare byte-wise (binary collation), so ordering matches {@link String#compareTo}.
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcGroupDirectory implements GroupDirectory {
  private final Db db;
  private final String groups;
  private final String members;

  JdbcGroupDirectory(Db db) {
    this.db = db;
    this.groups = db.table("mk_group");
    this.members = db.table("mk_group_member");
  }

  /** A builder on {@code dataSource}, whose schema must have been migrated. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  @Override
  public GroupInfo create(GroupInfo group) {
    return db.tx(
        "creating group " + group.id(),
        h -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("group_id", group.id().value());
          row.put("name", group.name());
          row.put("created_by", group.createdBy().value());
          row.put("created_s", group.createdAt().getEpochSecond());
          row.put("created_n", group.createdAt().getNano());
          if (!db.dialect.insertIfAbsent(h, groups, "group_id", row)) {
            throw new ConflictException("group " + group.id().value() + " already exists");
          }
          insertMember(h, group.id(), group.createdBy(), true, group.createdAt());
          return group;
        });
  }

  /** Served by the index on {@code created_by}. */
  @Override
  public int countCreatedBy(UserId user) {
    return db.call(
        "counting the groups created by " + user,
        h ->
            h.createQuery("SELECT COUNT(*) FROM " + groups + " WHERE created_by = :u")
                .bind("u", user.value())
                .mapTo(Integer.class)
                .one());
  }

  @Override
  public Optional<GroupInfo> find(GroupId group) {
    return db.call(
        "finding group " + group,
        h ->
            h.createQuery(
                    "SELECT name, created_by, created_s, created_n FROM "
                        + groups
                        + " WHERE group_id = :g")
                .bind("g", group.value())
                .map(
                    (rs, ctx) ->
                        new GroupInfo(
                            group,
                            rs.getString(1),
                            UserId.of(rs.getString(2)),
                            Instant.ofEpochSecond(rs.getLong(3), rs.getInt(4))))
                .findOne());
  }

  @Override
  public boolean addMember(GroupId group, UserId member, boolean admin, Instant joinedAt) {
    java.util.Objects.requireNonNull(joinedAt, "joinedAt");
    return db.tx(
        "adding " + member + " to group " + group,
        h -> {
          // lock the group row: a concurrent delete waits, or has already happened
          boolean exists =
              h.createQuery("SELECT group_id FROM " + groups + " WHERE group_id = :g FOR UPDATE")
                  .bind("g", group.value())
                  .mapTo(String.class)
                  .findOne()
                  .isPresent();
          if (!exists) {
            throw new NotFoundException("group " + group.value() + " does not exist");
          }
          return insertMember(h, group, member, admin, joinedAt);
        });
  }

  private boolean insertMember(
      Handle h, GroupId group, UserId member, boolean admin, Instant joinedAt) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("group_id", group.value());
    row.put("member_id", member.value());
    row.put("is_admin", admin);
    row.put("joined_s", joinedAt.getEpochSecond());
    row.put("joined_n", joinedAt.getNano());
    return db.dialect.insertIfAbsent(h, members, "group_id, member_id", row);
  }

  @Override
  public boolean removeMember(GroupId group, UserId member) {
    return db.call(
        "removing " + member + " from group " + group,
        h ->
            h.createUpdate("DELETE FROM " + members + " WHERE group_id = :g AND member_id = :m")
                    .bind("g", group.value())
                    .bind("m", member.value())
                    .execute()
                > 0);
  }

  @Override
  public boolean setAdmin(GroupId group, UserId member, boolean admin) {
    return db.call(
        "setting admin=" + admin + " for " + member + " in group " + group,
        h -> {
          int updated =
              h.createUpdate(
                      "UPDATE "
                          + members
                          + " SET is_admin = :a WHERE group_id = :g AND member_id = :m")
                  .bind("a", admin)
                  .bind("g", group.value())
                  .bind("m", member.value())
                  .execute();
          // MySQL may count only changed rows: check membership when nothing changed
          return updated > 0 || membershipOf(h, group, member).isPresent();
        });
  }

  @Override
  public Optional<GroupMember> membership(GroupId group, UserId member) {
    return db.call(
        "reading the membership of " + member + " in group " + group,
        h -> membershipOf(h, group, member));
  }

  private Optional<GroupMember> membershipOf(Handle h, GroupId group, UserId member) {
    return h.createQuery(
            "SELECT is_admin FROM " + members + " WHERE group_id = :g AND member_id = :m")
        .bind("g", group.value())
        .bind("m", member.value())
        .map((rs, ctx) -> new GroupMember(group, member, rs.getBoolean(1)))
        .findOne();
  }

  @Override
  public Optional<Instant> memberSince(GroupId group, UserId member) {
    return db.call(
        "reading when " + member + " joined group " + group,
        h ->
            h.createQuery(
                    "SELECT joined_s, joined_n FROM "
                        + members
                        + " WHERE group_id = :g AND member_id = :m")
                .bind("g", group.value())
                .bind("m", member.value())
                .map((rs, ctx) -> Instant.ofEpochSecond(rs.getLong(1), rs.getInt(2)))
                .findOne());
  }

  @Override
  public List<GroupMember> members(GroupId group) {
    return db.call(
        "listing the members of group " + group,
        h ->
            h.createQuery(
                    "SELECT member_id, is_admin FROM "
                        + members
                        + " WHERE group_id = :g ORDER BY member_id")
                .bind("g", group.value())
                .map(
                    (rs, ctx) ->
                        new GroupMember(group, UserId.of(rs.getString(1)), rs.getBoolean(2)))
                .list());
  }

  @Override
  public List<GroupId> groupsOf(UserId user) {
    return db.call(
        "listing the groups of " + user,
        h ->
            h.createQuery(
                    "SELECT group_id FROM " + members + " WHERE member_id = :m ORDER BY group_id")
                .bind("m", user.value())
                .map((rs, ctx) -> GroupId.of(rs.getString(1)))
                .list());
  }

  @Override
  public boolean delete(GroupId group) {
    return db.tx(
        "deleting group " + group,
        h -> {
          h.createUpdate("DELETE FROM " + members + " WHERE group_id = :g")
              .bind("g", group.value())
              .execute();
          return h.createUpdate("DELETE FROM " + groups + " WHERE group_id = :g")
                  .bind("g", group.value())
                  .execute()
              > 0;
        });
  }

  /** Builds a {@link JdbcGroupDirectory}. */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcGroupDirectory> {

    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    @Override
    public JdbcGroupDirectory build() {
      return new JdbcGroupDirectory(db());
    }
  }
}
