"""The Lua scripts behind the store's atomic operations.

Each script touches exactly one key, so all of them also run on Redis Cluster.
"""

from __future__ import annotations

ENSURE_USER = """
if redis.call('HEXISTS', KEYS[1], 'cid') == 0 then
  redis.call('HSET', KEYS[1], 'cid', ARGV[1])
  if redis.call('HEXISTS', KEYS[1], 'at') == 0 then
    redis.call('HSET', KEYS[1], 'at', ARGV[2])
  end
end
return redis.call('HGETALL', KEYS[1])
"""
"""Create the user's client id once (never replaced here), then return the whole hash."""

HASH_WRITE = """
local ttl = tonumber(ARGV[1])
local ndrop = tonumber(ARGV[2])
for i = 3, ndrop + 2 do
  redis.call('HDEL', KEYS[1], ARGV[i])
end
for i = ndrop + 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
elseif ttl == 0 then
  redis.call('PERSIST', KEYS[1])
end
return 1
"""
"""ARGV: ttl ms (>0 expire, 0 persist, -1 leave), number of fields to delete, those fields,
then field/value pairs to set."""

COMPARE_EXPIRE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
"""Renew a lease: only while the caller still owns it."""

COMPARE_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
"""Release a lease: only its owner can."""

CLAIM = """
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if current then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
"""Take a free lease, or renew one the caller already holds."""

LIST_PUSH = """
local n = redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
"""

LIST_TAKE = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return items
"""
