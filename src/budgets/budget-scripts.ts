/*
 * The Redis side of shared budgets: Lua scripts that run atomically on the Redis server, on its clock (TIME),
 * so nodes with skewed clocks agree on the minute, the Beijing day and the month. Amounts are integer
 * nano-yuan (exact in Lua's doubles below 2^53, i.e. ¥9 million), always written with %d, never as floats.
 *
 * Keys of one scope (a key or a team): a state hash {seeded, day, month, sd (spent today), sm (spent this
 * month), held}, a sorted set of holds (member "<reservation id>:<nano>", score = expiry in ms), a sorted
 * set of holds that expired unsettled (kept a day, so a late commit is charged once and a duplicate never)
 * and a sorted set of request starts in the last minute (the rpm window). Every key carries one hash tag, so a
 * script touching several scopes stays in one Redis Cluster slot.
 */

/** Shared by every script: the server clock, Beijing day and month numbers, and the hold sweep. */
const prelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dayNo = math.floor((now + 28800000) / 86400000)
local function monthOf(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y * 12 + m - 1
end
local monthNo = monthOf(dayNo)
local KEEP = 3456000000
local EXPIRED_KEEP = 86400000
local function n(v) return tonumber(v) or 0 end
local function fmt(v) return string.format('%d', v) end
-- Roll the spent counters into the current day and month; returns sd, sm, held.
local function roll(S)
  local st = redis.call('HMGET', S, 'day', 'month', 'sd', 'sm', 'held')
  local sd, sm = n(st[3]), n(st[4])
  if n(st[1]) ~= dayNo then sd = 0 end
  if n(st[2]) ~= monthNo then sm = 0 end
  redis.call('HSET', S, 'day', fmt(dayNo), 'month', fmt(monthNo), 'sd', fmt(sd), 'sm', fmt(sm))
  return sd, sm, n(st[5])
end
-- Holds past their expiry belong to a node that died or stalled: charge them in full and release them.
local function sweep(S, H, E)
  local expired = redis.call('ZRANGEBYSCORE', H, '-inf', now)
  if #expired == 0 then return end
  local total = 0
  for _, member in ipairs(expired) do
    total = total + n(string.match(member, ':(%d+)$'))
    redis.call('ZADD', E, now, member)
  end
  redis.call('ZREMRANGEBYSCORE', H, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', E, '-inf', now - EXPIRED_KEEP)
  redis.call('PEXPIRE', E, EXPIRED_KEEP)
  local sd, sm, held = roll(S)
  redis.call('HSET', S, 'sd', fmt(sd + total), 'sm', fmt(sm + total), 'held', fmt(math.max(0, held - total)))
end
`;

/**
 * KEYS: per scope S, H, E, R. ARGV: worst, reservation id, hold ttl ms, scope count, then per scope
 * daily limit, monthly limit, rpm (-1 = none).
 * Returns {1, now, sd1, sm1, held1, ...} admitted; {0, now, scope, kind, limit, spent, held, retryMs} refused;
 * {2, now, scope...} when a scope's spend must first be seeded from the request log.
 */
export const reserveScript = `${prelude}
local worst = tonumber(ARGV[1])
local id = ARGV[2]
local ttl = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local unseeded = {}
for i = 1, count do
  local daily, monthly = tonumber(ARGV[4 + 3 * i - 2]), tonumber(ARGV[4 + 3 * i - 1])
  if (daily >= 0 or monthly >= 0) and redis.call('HEXISTS', KEYS[4 * i - 3], 'seeded') == 0 then
    table.insert(unseeded, i)
  end
end
if #unseeded > 0 then
  local reply = {2, now}
  for _, i in ipairs(unseeded) do table.insert(reply, i) end
  return reply
end
local states = {}
for i = 1, count do
  local S, H, E, R = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
  local daily, monthly, rpm = tonumber(ARGV[4 + 3 * i - 2]), tonumber(ARGV[4 + 3 * i - 1]), tonumber(ARGV[4 + 3 * i])
  if rpm >= 0 then
    redis.call('ZREMRANGEBYSCORE', R, '-inf', now - 60000)
    if redis.call('ZCARD', R) >= rpm then
      local oldest = redis.call('ZRANGE', R, 0, 0, 'WITHSCORES')
      local retry = oldest[2] and (tonumber(oldest[2]) + 60000 - now) or 1000
      return {0, now, i, 'rpm', rpm, 0, 0, math.max(1, retry)}
    end
  end
  sweep(S, H, E)
  local sd, sm, held = roll(S)
  states[i] = {sd, sm, held}
  if daily >= 0 and sd + held + worst > daily then return {0, now, i, 'daily', daily, sd, held, 0} end
  if monthly >= 0 and sm + held + worst > monthly then return {0, now, i, 'monthly', monthly, sm, held, 0} end
end
local reply = {1, now}
for i = 1, count do
  local S, H, R = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i]
  local rpm = tonumber(ARGV[4 + 3 * i])
  if rpm >= 0 then
    redis.call('ZADD', R, now, id)
    redis.call('PEXPIRE', R, 61000)
  end
  local held = states[i][3] + worst
  redis.call('HSET', S, 'held', fmt(held))
  redis.call('ZADD', H, now + ttl, id .. ':' .. fmt(worst))
  redis.call('PEXPIRE', S, KEEP)
  redis.call('PEXPIRE', H, KEEP)
  table.insert(reply, states[i][1])
  table.insert(reply, states[i][2])
  table.insert(reply, held)
end
return reply
`;

/**
 * Replace a hold with the real cost. KEYS: done marker, then per scope S, H, E. ARGV: reservation id, worst,
 * actual, scope count, mode. Mode "hold" settles a reservation: a live hold is swapped for the cost; one
 * already swept as expired was charged in full, so a late commit charges only the difference; one in
 * neither set was settled before (a retried commit) and changes nothing. Mode "delta" adds spend made while
 * Redis was unreachable, once (the done marker, kept a day). A scope not seeded yet ignores the spend: the
 * seed reads it from the request log. Returns {applied, sd1, sm1, held1, ...}.
 */
export const commitScript = `${prelude}
local id, worst, actual, count, mode = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
if mode == 'delta' and not redis.call('SET', KEYS[1], '1', 'NX', 'PX', EXPIRED_KEEP) then return {0} end
local member = id .. ':' .. fmt(worst)
local reply = {1}
for i = 1, count do
  local S, H, E = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
  sweep(S, H, E)
  local sd, sm, held = roll(S)
  local charge = actual
  if mode ~= 'delta' then
    if redis.call('ZREM', H, member) == 1 then
      held = math.max(0, held - worst)
    elseif redis.call('ZREM', E, member) == 1 then
      charge = actual - worst
    else
      charge = 0
    end
  end
  if redis.call('HEXISTS', S, 'seeded') == 1 then
    sd = math.max(0, sd + charge)
    sm = math.max(0, sm + charge)
  end
  redis.call('HSET', S, 'sd', fmt(sd), 'sm', fmt(sm), 'held', fmt(held))
  redis.call('PEXPIRE', S, KEEP)
  table.insert(reply, sd)
  table.insert(reply, sm)
  table.insert(reply, held)
end
return reply
`;

/**
 * Seed a scope's spend from the request log, once: the first node to seed wins (never an increment, so
 * nodes racing to seed cannot inflate it). KEYS: S. ARGV: spent today, spent this month, the day and
 * month numbers they were read for (if the period changed since, the next reserve rolls them).
 */
export const seedScript = `${prelude}
if redis.call('HEXISTS', KEYS[1], 'seeded') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'seeded', '1', 'day', ARGV[3], 'month', ARGV[4], 'sd', ARGV[1], 'sm', ARGV[2])
redis.call('HSETNX', KEYS[1], 'held', '0')
redis.call('PEXPIRE', KEYS[1], KEEP)
return 1
`;

/** Beijing day and month numbers as the scripts count them, for the seed (same arithmetic as periodsAt). */
export function periodNumbers(nowMs: number): { day: number; month: number } {
  const day = Math.floor((nowMs + 28_800_000) / 86_400_000);
  const local = new Date(day * 86_400_000);
  return { day, month: local.getUTCFullYear() * 12 + local.getUTCMonth() };
}
