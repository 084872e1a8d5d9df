"""The durable delivery queue in Redis: pending sends, the retry schedule, digest groups, throttles.

Everything that must not be lost between "alert accepted" and "alert delivered or dead-lettered"
lives here, so a worker can die at any moment: a claimed send is leased, and the lease running
out puts it back in the schedule for any worker to pick up.

Keys (under the deployment prefix): ``schedule`` (sorted set of job ids and ``flush:<sub>``
members by due time), ``job:<id>`` (hash: kind, sub, attempt), ``jobitems:<id>`` (hash: alert
id -> Alert JSON), ``group:<sub>`` (alerts waiting for a digest), ``groupmeta:<sub>``,
``parked:<sub>`` (jobs held while paused), ``failures:<sub>``, ``throttle:<sub>``, and
``delivered:<alert id>`` (the dedupe marker, set when an alert is first taken in hand).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from schemas.models import Alert
from services.notify.payloads import Kind, Outgoing
from services.notify.subscriptions import Keys, text

FLUSH_PREFIX = "flush:"

_ENQUEUE = """
if redis.call('SET', KEYS[1], 'queued', 'NX', 'EX', ARGV[5]) then
  redis.call('HSET', KEYS[2], 'kind', 'alert', 'sub', ARGV[3], 'attempt', '0')
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  return 1
end
return 0
"""

_GROUP_ADD = """
if not redis.call('SET', KEYS[1], 'grouped', 'NX', 'EX', ARGV[7]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if not redis.call('ZSCORE', KEYS[4], ARGV[3]) then
  local now = tonumber(ARGV[4])
  local last = tonumber(redis.call('HGET', KEYS[3], 'last') or '0')
  local due = math.max(now + tonumber(ARGV[5]), last + tonumber(ARGV[6]))
  redis.call('ZADD', KEYS[4], due, ARGV[3])
end
return 1
"""

_FLUSH = """
redis.call('ZREM', KEYS[3], ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('HSET', KEYS[2], 'last', ARGV[2])
local id = 'dg_' .. string.sub(redis.sha1hex(ARGV[1] .. ':' .. seq), 1, 32)
redis.call('RENAME', KEYS[1], ARGV[4] .. 'jobitems:' .. id)
redis.call('HSET', ARGV[4] .. 'job:' .. id, 'kind', 'digest', 'sub', ARGV[1], 'attempt', '0')
redis.call('ZADD', KEYS[3], ARGV[5], id)
return id
"""

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], m) end
return due
"""

# Claim due members and, in the same step, load what handling them needs: the job hash, its
# alerts and the subscription record (one round trip for a whole batch instead of three per job).
_CLAIM_LOAD = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i, m in ipairs(due) do
  redis.call('ZADD', KEYS[1], ARGV[2], m)
  if string.sub(m, 1, #ARGV[5]) == ARGV[5] then
    out[i] = {m}
  else
    local meta = redis.call('HGETALL', ARGV[4] .. 'job:' .. m)
    local items = redis.call('HVALS', ARGV[4] .. 'jobitems:' .. m)
    local sub = false
    for j = 1, #meta, 2 do
      if meta[j] == 'sub' then sub = redis.call('GET', ARGV[4] .. 'sub:' .. meta[j + 1]) end
    end
    out[i] = {m, meta, items, sub}
  end
end
return out
"""

_THROTTLE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - 3600)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], 3700)
return 1
"""

_UNPARK = """
local ids = redis.call('SMEMBERS', KEYS[1])
for _, m in ipairs(ids) do redis.call('ZADD', KEYS[2], ARGV[1], m) end
redis.call('DEL', KEYS[1])
return #ids
"""


@dataclass(frozen=True)
class Job:
    """One pending send as stored: what to send, to whom, and how many attempts were made."""

    job_id: str
    kind: Kind
    subscription_id: str
    attempt: int
    alerts: tuple[Alert, ...]

    def outgoing(self) -> Outgoing:
        """The message this job sends."""
        created = max((a.created_at for a in self.alerts), default=datetime.now(UTC))
        return Outgoing(self.job_id, self.kind, self.subscription_id, self.alerts, created)


@dataclass(frozen=True)
class Claimed:
    """A claimed schedule member with what was loaded for it in the same step.

    ``loaded`` is False for digest flush members (handled by ``flush_group``); for a job member
    ``job`` is None when the job no longer exists and ``subscription`` is the raw subscription
    record (None when the subscription is gone).
    """

    member: str
    loaded: bool
    job: Job | None = None
    subscription: bytes | None = None


def _job_from(job_id: str, meta: dict[str, str], items: list[bytes | str]) -> Job:
    alerts = sorted((Alert.model_validate_json(raw) for raw in items), key=lambda a: a.created_at)
    kind = meta.get("kind", "alert")
    return Job(
        job_id=job_id,
        kind="digest" if kind == "digest" else "alert",
        subscription_id=meta["sub"],
        attempt=int(meta.get("attempt", "0")),
        alerts=tuple(alerts),
    )


class DeliveryQueue:
    """Redis operations of the delivery pipeline; every multi-key step is one atomic script."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, dedupe_ttl_s: int) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl = dedupe_ttl_s
        self._enqueue = redis.register_script(_ENQUEUE)
        self._group_add = redis.register_script(_GROUP_ADD)
        self._flush = redis.register_script(_FLUSH)
        self._claim = redis.register_script(_CLAIM)
        self._claim_load = redis.register_script(_CLAIM_LOAD)
        self._throttle = redis.register_script(_THROTTLE)
        self._unpark = redis.register_script(_UNPARK)

    async def enqueue(self, alert: Alert, now: float) -> bool:
        """Queue an alert for sending now; False when this alert id was already taken in hand."""
        k = self._keys
        done = await self._enqueue(
            keys=[k.delivered(alert.alert_id), k.job(alert.alert_id), k.job_items(alert.alert_id), k.schedule],
            args=[alert.alert_id, alert.model_dump_json(), alert.subscription_id, now, self._ttl],
        )
        return bool(done)

    async def enqueue_many(self, alerts: list[Alert], now: float) -> list[bool]:
        """``enqueue`` for several alerts in one round trip (each is its own atomic script, so a
        retry after a failure part-way is harmless: alerts already taken answer False)."""
        if not alerts:
            return []
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            for alert in alerts:
                await self._enqueue(
                    keys=[k.delivered(alert.alert_id), k.job(alert.alert_id), k.job_items(alert.alert_id), k.schedule],
                    args=[alert.alert_id, alert.model_dump_json(), alert.subscription_id, now, self._ttl],
                    client=pipe,
                )
            done = await pipe.execute()
        return [bool(d) for d in done]

    async def group_add(self, alert: Alert, now: float, wait_s: float, interval_s: float) -> bool:
        """Add an alert to its subscription's next digest; False when already taken in hand."""
        k, sub = self._keys, alert.subscription_id
        done = await self._group_add(
            keys=[k.delivered(alert.alert_id), k.group(sub), k.group_meta(sub), k.schedule],
            args=[alert.alert_id, alert.model_dump_json(), FLUSH_PREFIX + sub, now, wait_s, interval_s, self._ttl],
        )
        return bool(done)

    async def flush_group(self, sub_id: str, now: float, lease_until: float) -> str | None:
        """Turn the waiting alerts of a subscription into one digest job, already leased to the
        caller (who sends it now) until ``lease_until``; its id, or None when nothing waited."""
        k = self._keys
        found = await self._flush(
            keys=[k.group(sub_id), k.group_meta(sub_id), k.schedule],
            args=[sub_id, now, FLUSH_PREFIX + sub_id, k.prefix, lease_until],
        )
        return text(found) if found else None

    async def claim(self, now: float, lease_until: float, limit: int) -> list[str]:
        """Take up to ``limit`` due members, leasing them until ``lease_until``."""
        found = await self._claim(keys=[self._keys.schedule], args=[now, lease_until, limit])
        return [text(m) for m in found]

    async def next_due(self) -> float | None:
        """When the earliest scheduled member is due, or None when nothing is scheduled."""
        first = await self._redis.zrange(self._keys.schedule, 0, 0, withscores=True)
        return float(first[0][1]) if first else None

    async def scheduled(self) -> int:
        """How many members the schedule holds."""
        return int(await self._redis.zcard(self._keys.schedule))

    async def load(self, job_id: str) -> Job | None:
        """The stored job, or None if it is already finished."""
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(k.job(job_id))
            pipe.hvals(k.job_items(job_id))
            meta, items = await pipe.execute()
        if not meta:
            return None
        return _job_from(job_id, {text(a): text(b) for a, b in meta.items()}, items)

    async def claim_loaded(self, now: float, lease_until: float, limit: int) -> list[Claimed]:
        """Lease up to ``limit`` due members and load their jobs and subscriptions, in one atomic step."""
        rows = await self._claim_load(
            keys=[self._keys.schedule], args=[now, lease_until, limit, self._keys.prefix, FLUSH_PREFIX]
        )
        claimed = []
        for row in rows:
            member = text(row[0])
            if len(row) == 1:
                claimed.append(Claimed(member, loaded=False))
                continue
            _m, flat, items, sub = row
            if not flat:
                claimed.append(Claimed(member, loaded=True))
                continue
            meta = {text(flat[i]): text(flat[i + 1]) for i in range(0, len(flat), 2)}
            claimed.append(Claimed(member, True, _job_from(member, meta, items), sub))
        return claimed

    async def forget(self, member: str) -> None:
        """Drop a schedule member whose job no longer exists."""
        await self._redis.zrem(self._keys.schedule, member)

    async def postpone(self, member: str, due: float) -> None:
        """Put a member back for later without counting an attempt."""
        await self._redis.zadd(self._keys.schedule, {member: due})

    async def reschedule(self, job: Job, attempt: int, due: float) -> None:
        """Record a failed attempt and schedule the next one."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._keys.job(job.job_id), "attempt", str(attempt))
            pipe.zadd(self._keys.schedule, {job.job_id: due})
            await pipe.execute()

    async def _finish(
        self, job: Job, marker: str, failed: bool, also: Callable[[Pipeline], object] | None = None
    ) -> int:
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            if also is not None:
                also(pipe)
            pipe.zrem(k.schedule, job.job_id)
            pipe.delete(k.job(job.job_id), k.job_items(job.job_id))
            for alert in job.alerts:
                pipe.set(k.delivered(alert.alert_id), marker, ex=self._ttl)
            if failed:
                pipe.incr(k.failures(job.subscription_id))
            else:
                pipe.delete(k.failures(job.subscription_id))
            results = await pipe.execute()
        return int(results[-1]) if failed else 0

    async def done(self, job: Job, also: Callable[[Pipeline], object] | None = None) -> None:
        """The job was delivered: remove it, keep its alerts' dedupe markers, reset the failure count.

        ``also`` adds further writes (the delivery record) to the same atomic step.
        """
        await self._finish(job, "sent", failed=False, also=also)

    async def dropped(self, job: Job, why: str) -> None:
        """The job will not be sent (throttled, subscription deleted); it is not a failure."""
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(k.schedule, job.job_id)
            pipe.delete(k.job(job.job_id), k.job_items(job.job_id))
            for alert in job.alerts:
                pipe.set(k.delivered(alert.alert_id), why, ex=self._ttl)
            await pipe.execute()

    async def given_up(self, job: Job) -> int:
        """The job failed for good; returns the subscription's consecutive failure count."""
        return await self._finish(job, "failed", failed=True)

    async def park(self, job_id: str, sub_id: str) -> None:
        """Hold a job while its subscription is paused."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(self._keys.schedule, job_id)
            pipe.sadd(self._keys.parked(sub_id), job_id)
            await pipe.execute()

    async def unpark(self, sub_id: str, now: float) -> int:
        """Reschedule every job held for a resumed subscription; how many there were."""
        return int(await self._unpark(keys=[self._keys.parked(sub_id), self._keys.schedule], args=[now]))

    async def throttle_allows(self, sub_id: str, job_id: str, per_hour: int, now: float) -> bool:
        """Count one message in the subscription's sliding hour, unless it is already full."""
        return bool(await self._throttle(keys=[self._keys.throttle(sub_id)], args=[now, per_hour, job_id]))

    async def discard_subscription(self, sub_id: str) -> None:
        """Forget a deleted subscription's held work; scheduled jobs are dropped when they come due."""
        k = self._keys
        parked = [text(m) for m in await self._redis.smembers(k.parked(sub_id))]
        async with self._redis.pipeline(transaction=True) as pipe:
            for job_id in parked:
                pipe.delete(k.job(job_id), k.job_items(job_id))
            pipe.delete(k.parked(sub_id), k.group(sub_id), k.group_meta(sub_id), k.failures(sub_id), k.throttle(sub_id))
            pipe.zrem(k.schedule, FLUSH_PREFIX + sub_id)
            await pipe.execute()
