-- messagingkit JDBC stores, schema version 3 (postgresql): resource limits.

-- When each device was last seen, in epoch milliseconds (devices per user are capped and devices
-- unseen for the retention period expire); existing devices count as seen at the migration.
ALTER TABLE mk_device ADD COLUMN last_seen_ms BIGINT;
UPDATE mk_device SET last_seen_ms = CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT);
ALTER TABLE mk_device ALTER COLUMN last_seen_ms SET NOT NULL;
CREATE INDEX mk_device_seen ON mk_device (last_seen_ms);

-- One row per user with devices, locked while a device is added so that concurrent registrations
-- never exceed the cap (ChatServerLimits.maxDevicesPerUser).
CREATE TABLE mk_device_owner (
  user_id  VARCHAR(64) COLLATE "C" NOT NULL,
  PRIMARY KEY (user_id)
);

-- Groups are counted by creator (ChatServerLimits.maxGroupsCreatedPerUser).
CREATE INDEX mk_group_created_by ON mk_group (created_by);

-- The reserved _pending queue is gone (messages to users with no device are refused): what is left
-- in it was addressed to names that never connected, and no code reads it any more.
DELETE FROM mk_offline_message WHERE device_id = '_pending';
DELETE FROM mk_offline_device WHERE device_id = '_pending';
