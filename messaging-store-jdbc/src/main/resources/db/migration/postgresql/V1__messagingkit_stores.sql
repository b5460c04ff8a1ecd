-- messagingkit JDBC stores, schema version 1 (postgresql).

-- Offline store: one queue per device; the counter row orders concurrent enqueues to one device.
CREATE TABLE mk_offline_device (
  user_id    VARCHAR(64) COLLATE "C" NOT NULL,
  device_id  VARCHAR(64) COLLATE "C" NOT NULL,
  last_seq   BIGINT NOT NULL,
  PRIMARY KEY (user_id, device_id)
);

CREATE TABLE mk_offline_message (
  user_id            VARCHAR(64) COLLATE "C" NOT NULL,
  device_id          VARCHAR(64) COLLATE "C" NOT NULL,
  seq                BIGINT NOT NULL,
  message_id         VARCHAR(200) COLLATE "C" NOT NULL,
  from_user_id       VARCHAR(64) COLLATE "C" NOT NULL,
  from_device_id     VARCHAR(64) COLLATE "C" NOT NULL,
  to_user_id         VARCHAR(64) COLLATE "C",
  to_group_id        VARCHAR(64) COLLATE "C",
  message_type       VARCHAR(32) NOT NULL,
  content            BYTEA NOT NULL,
  media_key          VARCHAR(256),
  media_content_type VARCHAR(128),
  media_size         BIGINT,
  refers_to          VARCHAR(200) COLLATE "C",
  client_ts_s        BIGINT NOT NULL,
  client_ts_n        INT NOT NULL,
  server_ts_s        BIGINT NOT NULL,
  server_ts_n        INT NOT NULL,
  server_seq         BIGINT NOT NULL,
  PRIMARY KEY (user_id, device_id, seq),
  CONSTRAINT mk_offline_message_key UNIQUE (user_id, device_id, from_user_id, message_id)
);

-- Server dedupe: a unique (sender, message id) and a store-wide increasing sequence.
CREATE TABLE mk_idempotency (
  sender_id    VARCHAR(64) COLLATE "C" NOT NULL,
  message_id   VARCHAR(200) COLLATE "C" NOT NULL,
  seq          BIGINT GENERATED ALWAYS AS IDENTITY,
  accepted_s   BIGINT NOT NULL,
  accepted_n   INT NOT NULL,
  completed    BOOLEAN NOT NULL,
  PRIMARY KEY (sender_id, message_id),
  CONSTRAINT mk_idempotency_seq UNIQUE (seq)
);
CREATE INDEX mk_idempotency_age ON mk_idempotency (accepted_s);

-- Groups: the seed's figure 8, (group_id, member_id, is_admin).
CREATE TABLE mk_group (
  group_id    VARCHAR(64) COLLATE "C" NOT NULL,
  name        VARCHAR(128) NOT NULL,
  created_by  VARCHAR(64) COLLATE "C" NOT NULL,
  created_s   BIGINT NOT NULL,
  created_n   INT NOT NULL,
  PRIMARY KEY (group_id)
);

CREATE TABLE mk_group_member (
  group_id   VARCHAR(64) COLLATE "C" NOT NULL,
  member_id  VARCHAR(64) COLLATE "C" NOT NULL,
  is_admin   BOOLEAN NOT NULL,
  PRIMARY KEY (group_id, member_id),
  CONSTRAINT mk_group_member_group FOREIGN KEY (group_id) REFERENCES mk_group (group_id) ON DELETE CASCADE
);
CREATE INDEX mk_group_member_by_member ON mk_group_member (member_id, group_id);

-- The seed's figure 9, partitioned by month (the adapter creates the partitions ahead of time;
-- rows outside every monthly partition land in the default partition and are still found).
CREATE TABLE mk_message_archive (
  conversation_key   VARCHAR(140) COLLATE "C" NOT NULL,
  time_stamp         TIMESTAMP(6) NOT NULL,
  message_id         VARCHAR(200) COLLATE "C" NOT NULL,
  from_user_id       VARCHAR(64) COLLATE "C" NOT NULL,
  from_device_id     VARCHAR(64) COLLATE "C" NOT NULL,
  to_user_id         VARCHAR(64) COLLATE "C",
  to_group_id        VARCHAR(64) COLLATE "C",
  message_type       VARCHAR(32) NOT NULL,
  content            BYTEA NOT NULL,
  media_key          VARCHAR(256),
  media_content_type VARCHAR(128),
  media_size         BIGINT,
  refers_to          VARCHAR(200) COLLATE "C",
  client_ts_s        BIGINT NOT NULL,
  client_ts_n        INT NOT NULL,
  server_ts_s        BIGINT NOT NULL,
  server_ts_n        INT NOT NULL,
  server_seq         BIGINT NOT NULL
) PARTITION BY RANGE (time_stamp);
CREATE TABLE mk_message_archive_default PARTITION OF mk_message_archive DEFAULT;
CREATE INDEX mk_message_archive_page ON mk_message_archive
  (conversation_key, server_ts_s, server_ts_n, server_seq, from_user_id, message_id);

-- Archive dedupe on (sender, message id), across all partitions.
CREATE TABLE mk_message_archive_key (
  from_user_id  VARCHAR(64) COLLATE "C" NOT NULL,
  message_id    VARCHAR(200) COLLATE "C" NOT NULL,
  PRIMARY KEY (from_user_id, message_id)
);

-- Devices and their push targets.
CREATE TABLE mk_device (
  user_id        VARCHAR(64) COLLATE "C" NOT NULL,
  device_id      VARCHAR(64) COLLATE "C" NOT NULL,
  push_platform  VARCHAR(16),
  push_token     VARCHAR(8192),
  push_keys      VARCHAR(8192),
  PRIMARY KEY (user_id, device_id)
);

-- Contacts: both directions of each link are stored.
CREATE TABLE mk_contact (
  user_id     VARCHAR(64) COLLATE "C" NOT NULL,
  contact_id  VARCHAR(64) COLLATE "C" NOT NULL,
  PRIMARY KEY (user_id, contact_id)
);
