-- messagingkit JDBC stores, schema version 2.1 (mysql/mariadb): issue 16, findings 3 and 4.

-- The recipient of each accepted message: a READ receipt is forwarded only by a recipient.
-- Keys accepted before this version have neither column and prove nothing (their READs are dropped).
ALTER TABLE mk_idempotency
  ADD COLUMN to_user_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN to_group_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL;

-- When each member (last) joined: history and READs of a group start there.
-- Members from before this version count as joined at the epoch (they already saw the history).
ALTER TABLE mk_group_member
  ADD COLUMN joined_s BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN joined_n INT NOT NULL DEFAULT 0;

-- Contacts become directed (who wrote to whom: presence consent). The old rows held both
-- directions of every link, so who consented cannot be told apart: they are dropped, and each
-- user's next direct message records its consent again.
DELETE FROM mk_contact;
