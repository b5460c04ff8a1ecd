-- messagingkit JDBC stores, schema version 1 (mysql).

-- Offline store: one queue per device; the counter row orders concurrent enqueues to one device.
CREATE TABLE mk_offline_device (
  user_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  device_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  last_seq   BIGINT NOT NULL,
  PRIMARY KEY (user_id, device_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE mk_offline_message (
  user_id            VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  device_id          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  seq                BIGINT NOT NULL,
  message_id         VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_user_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_device_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  to_user_id         VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin,
  to_group_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin,
  message_type       VARCHAR(32) NOT NULL,
  content            LONGBLOB NOT NULL,
  media_key          VARCHAR(256),
  media_content_type VARCHAR(128),
  media_size         BIGINT,
  refers_to          VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin,
  client_ts_s        BIGINT NOT NULL,
  client_ts_n        INT NOT NULL,
  server_ts_s        BIGINT NOT NULL,
  server_ts_n        INT NOT NULL,
  server_seq         BIGINT NOT NULL,
  PRIMARY KEY (user_id, device_id, seq),
  CONSTRAINT mk_offline_message_key UNIQUE (user_id, device_id, from_user_id, message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Server dedupe: a unique (sender, message id) and a store-wide increasing sequence.
CREATE TABLE mk_idempotency (
  seq          BIGINT NOT NULL AUTO_INCREMENT,
  sender_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  message_id   VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  accepted_s   BIGINT NOT NULL,
  accepted_n   INT NOT NULL,
  completed    BOOLEAN NOT NULL,
  PRIMARY KEY (seq),
  UNIQUE KEY mk_idempotency_key (sender_id, message_id),
  KEY mk_idempotency_age (accepted_s)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Groups: the seed's figure 8, (group_id, member_id, is_admin).
CREATE TABLE mk_group (
  group_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name        VARCHAR(128) NOT NULL,
  created_by  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_s   BIGINT NOT NULL,
  created_n   INT NOT NULL,
  PRIMARY KEY (group_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE mk_group_member (
  group_id   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  member_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  is_admin   BOOLEAN NOT NULL,
  PRIMARY KEY (group_id, member_id),
  CONSTRAINT mk_group_member_group FOREIGN KEY (group_id) REFERENCES mk_group (group_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX mk_group_member_by_member ON mk_group_member (member_id, group_id);

-- The seed's figure 9. One table; the index serves "one conversation, newest first, page by
-- cursor" as the monthly partitions plus the same index do on PostgreSQL.
CREATE TABLE mk_message_archive (
  conversation_key   VARCHAR(140) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  time_stamp         DATETIME(6) NOT NULL,
  message_id         VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_user_id       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  from_device_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  to_user_id         VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin,
  to_group_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin,
  message_type       VARCHAR(32) NOT NULL,
  content            LONGBLOB NOT NULL,
  media_key          VARCHAR(256),
  media_content_type VARCHAR(128),
  media_size         BIGINT,
  refers_to          VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin,
  client_ts_s        BIGINT NOT NULL,
  client_ts_n        INT NOT NULL,
  server_ts_s        BIGINT NOT NULL,
  server_ts_n        INT NOT NULL,
  server_seq         BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX mk_message_archive_page ON mk_message_archive
  (conversation_key, server_ts_s, server_ts_n, server_seq, from_user_id, message_id);
CREATE INDEX mk_message_archive_time ON mk_message_archive (time_stamp);

-- Archive dedupe on (sender, message id), across all partitions.
CREATE TABLE mk_message_archive_key (
  from_user_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  message_id    VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (from_user_id, message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Devices and their push targets.
CREATE TABLE mk_device (
  user_id        VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  device_id      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  push_platform  VARCHAR(16),
  push_token     TEXT,
  push_keys      TEXT,
  PRIMARY KEY (user_id, device_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Contacts: both directions of each link are stored.
CREATE TABLE mk_contact (
  user_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  contact_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (user_id, contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
