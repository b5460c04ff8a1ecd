package io.messagingkit.store.redis;

/**
 * The Lua scripts that keep every registry change atomic in Redis. A lease is one field of the
 * user's hash: {@code epoch|lastSeenMillis|serverId|connectionId}.
 */
final class Scripts {

  private Scripts() {}

  private static final String ANY_LIVE =
      """
      local function anyLive(key, cutoff)
        local vals = redis.call('HVALS', key)
        for _, v in ipairs(vals) do
          local t = tonumber(string.match(v, '^%d+|(%d+)|'))
          if t and t >= cutoff then return true end
        end
        return false
      end
      """;

  /**
   * KEYS: lease hash, seen hash, index, epoch. ARGV: user, device, server, conn, now, grace,
   * channel.
   */
  static final String REGISTER =
      ANY_LIVE
          + """
          local now = tonumber(ARGV[5])
          local cutoff = now - tonumber(ARGV[6])
          local was = anyLive(KEYS[1], cutoff)
          local epoch = redis.call('INCR', KEYS[4])
          redis.call('HSET', KEYS[1], ARGV[2], epoch .. '|' .. now .. '|' .. ARGV[3] .. '|' .. ARGV[4])
          redis.call('ZADD', KEYS[3], now, ARGV[1] .. '/' .. ARGV[2])
          local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
          if now > seen then redis.call('HSET', KEYS[2], ARGV[1], now) end
          if not was then redis.call('PUBLISH', ARGV[7], ARGV[1] .. '|1|' .. now) end
          return epoch
          """;

  /**
   * KEYS: seen hash, index, epoch, rebuild marker, then one lease hash per lease. ARGV: now, grace,
   * count, then per lease: user, device, epoch, server, conn. Returns the 1-based positions of the
   * stale leases. A lease that vanished because Redis lost its data (the epoch counter is gone, or
   * a rebuild is under way) is re-created instead: Redis is soft state that rebuilds itself from
   * renewals.
   */
  static final String RENEW =
      """
      local now = tonumber(ARGV[1])
      local grace = tonumber(ARGV[2])
      local cutoff = now - grace
      local n = tonumber(ARGV[3])
      local stale = {}
      local rebuilding = redis.call('EXISTS', KEYS[4]) == 1
      if redis.call('EXISTS', KEYS[3]) == 0 then
        rebuilding = true
        redis.call('SET', KEYS[4], '1', 'PX', grace * 2)
      end
      for i = 1, n do
        local base = 3 + (i - 1) * 5
        local user, device = ARGV[base + 1], ARGV[base + 2]
        local epoch = tonumber(ARGV[base + 3])
        local lease = KEYS[4 + i]
        local member = user .. '/' .. device
        local v = redis.call('HGET', lease, device)
        if not v then
          if rebuilding then
            local counter = tonumber(redis.call('GET', KEYS[3]) or '0')
            if counter < epoch then redis.call('SET', KEYS[3], epoch) end
            redis.call('HSET', lease, device, epoch .. '|' .. now .. '|' .. ARGV[base + 4] .. '|' .. ARGV[base + 5])
            redis.call('ZADD', KEYS[2], now, member)
            local seen = tonumber(redis.call('HGET', KEYS[1], user) or '0')
            if now > seen then redis.call('HSET', KEYS[1], user, now) end
          else
            table.insert(stale, i)
          end
        else
          local es, ts = string.match(v, '^(%d+)|(%d+)|')
          local e = tonumber(es)
          local t = tonumber(ts)
          if e ~= epoch or t < cutoff then
            table.insert(stale, i)
          else
            local rest = string.sub(v, string.len(es) + string.len(ts) + 3)
            local seenAt = math.max(t, now)
            redis.call('HSET', lease, device, es .. '|' .. seenAt .. '|' .. rest)
            redis.call('ZADD', KEYS[2], seenAt, member)
            local seen = tonumber(redis.call('HGET', KEYS[1], user) or '0')
            if seenAt > seen then redis.call('HSET', KEYS[1], user, seenAt) end
          end
        end
      end
      return stale
      """;

  /** KEYS: lease hash, seen hash, index. ARGV: user, device, epoch, now, grace, channel. */
  static final String UNREGISTER =
      ANY_LIVE
          + """
          local v = redis.call('HGET', KEYS[1], ARGV[2])
          if not v then return 0 end
          local e, t = string.match(v, '^(%d+)|(%d+)|')
          if tonumber(e) ~= tonumber(ARGV[3]) then return 0 end
          t = tonumber(t)
          local now = tonumber(ARGV[4])
          local cutoff = now - tonumber(ARGV[5])
          local was = anyLive(KEYS[1], cutoff)
          redis.call('HDEL', KEYS[1], ARGV[2])
          redis.call('ZREM', KEYS[3], ARGV[1] .. '/' .. ARGV[2])
          local seenAt = now
          if t < cutoff then seenAt = t end
          local seen = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
          if seenAt > seen then
            redis.call('HSET', KEYS[2], ARGV[1], seenAt)
            seen = seenAt
          end
          if was and not anyLive(KEYS[1], cutoff) then
            redis.call('PUBLISH', ARGV[6], ARGV[1] .. '|0|' .. seen)
          end
          return 1
          """;

  /**
   * KEYS: index, seen hash. ARGV: now, grace, key prefix, channel, batch size. Returns the number
   * of leases removed.
   */
  static final String SWEEP =
      ANY_LIVE
          + """
          local now = tonumber(ARGV[1])
          local cutoff = now - tonumber(ARGV[2])
          local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff, 'LIMIT', 0, tonumber(ARGV[5]))
          local removed = 0
          local users = {}
          for _, m in ipairs(members) do
            local user, device = string.match(m, '^(.-)/(.*)$')
            local lease = ARGV[3] .. 'lease:' .. user
            local v = redis.call('HGET', lease, device)
            if v then
              local t = tonumber(string.match(v, '^%d+|(%d+)|'))
              if t < cutoff then
                redis.call('HDEL', lease, device)
                redis.call('ZREM', KEYS[1], m)
                removed = removed + 1
                local prev = users[user]
                if (not prev) or t > prev then users[user] = t end
              else
                redis.call('ZADD', KEYS[1], t, m)
              end
            else
              redis.call('ZREM', KEYS[1], m)
            end
          end
          for user, t in pairs(users) do
            if not anyLive(ARGV[3] .. 'lease:' .. user, cutoff) then
              local seen = tonumber(redis.call('HGET', KEYS[2], user) or '0')
              if t > seen then
                redis.call('HSET', KEYS[2], user, t)
                seen = t
              end
              redis.call('PUBLISH', ARGV[4], user .. '|0|' .. seen)
            end
          end
          return removed
          """;
}
