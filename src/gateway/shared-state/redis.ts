/**
 * The Redis store (`ROUTER_STATE_URL=redis://…`), through ioredis 5: one connection for commands (written at once, no
 * offline queue, a command time-out of `ROUTER_STATE_TIMEOUT_MS`) and one for pub/sub.
 *
 * - Key limits and spend: one Lua script per admission checks every limit and counts the request atomically, so
 *   replicas cannot all take the last slot; another adds the spend and tokens of a key's requests that ended in one
 *   turn of the event loop and frees their slots (`ends`). Replicas overspend a budget by at most what the key's
 *   requests in flight when it was reached cost (docs/gateway.md states the bound).
 * - Cool-downs, breakers and sessions: a keyed record that lives as long as the change (`PX`), and a message on a
 *   channel.
 * - Idempotency: records with a TTL; waiters are woken by a message on a channel (and poll once a second anyway).
 * - Live metrics: each replica's snapshot under its own key with a TTL, and a sorted set of the replicas by expiry.
 * - What nothing waits for (requests' ends, published changes, snapshots) is written as one pipeline per turn of the
 *   event loop (`later`), or before an admission that comes first.
 *
 * When Redis is down or slower than the time-out, nothing waits for it: the store turns *degraded* (a `state_store`
 * event, `/health` says so), every operation runs on this process's `MemoryCounters` and `MemoryIdempotencyStore`
 * (which start from the figures Redis last gave), spend counted meanwhile is kept aside, and ioredis reconnects with
 * backoff while a PING probes a slow server. When Redis answers again, this replica learns the records in force,
 * publishes its own, adds the spend it kept aside, and the store is shared again.
 */
import {randomBytes} from 'node:crypto'
import type {ChainableCommander, Redis as RedisClient, RedisOptions} from 'ioredis'

import {LimitCodeSchema} from '../../core/auth/schema.js'
import {LiveMetricsSnapshotSchema, type LiveMetricsSnapshot} from '../../core/metrics/schema.js'
import {
  MemoryIdempotencyStore,
  recordFromJson,
  recordToJson,
  type IdempotencyRecord,
  type IdempotencyStore,
  type MemoryStoreOptions,
  type StoredResponse,
} from '../idempotency.js'
import {MemoryCounters} from './memory.js'
import {
  LEASE_TTL_MS,
  windows,
  type AdmitRequest,
  type AdmitResult,
  type ChangeHandler,
  type CounterValues,
  type ReplicaSnapshot,
  type SharedState,
  type StateChange,
  type StoreStatus,
  type Windows,
} from './types.js'

/** The Redis keys of a managed key's counters in one set of windows. */
interface CounterKeys {
  windows: Windows
  day: string
  month: string
  requests: string
  tokens: string
  leases: string
}

/** What the requests of one key that ended in a batch add to its counters (see `RedisSharedState.ends`). */
interface KeyEnd {
  keys: CounterKeys
  tokens: number
  nanos: number
  leases: string[]
}

/** Commands in a row answered later than the time-out that turn the store degraded (a closed connection does at once). */
const LATE_ANSWERS_TO_DEGRADE = 3

export interface RedisStateOptions {
  url: string
  /** Prefix of every key and channel. */
  prefix: string
  timeoutMs: number
  idempotency: MemoryStoreOptions
  /** How long a breaker stays open (its record lives that long). */
  breakerRecoveryMs: number
  /** The store stopped or started sharing. */
  onStatus?: (status: 'up' | 'down', message: string) => void
}

/**
 * KEYS: spend of the day, spend of the month, requests of the minute, tokens of the minute, concurrency leases.
 * ARGV: day budget, month budget, rpm, tpm, max concurrency (-1: no limit), now, lease id, lease TTL.
 * Returns {code, day spend, month spend, requests, tokens, in flight}. The request's own token estimate is checked by
 * the gateway (see `AdmitRequest`).
 */
const ADMIT = `
local counts = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
local day, month = tonumber(counts[1] or '0'), tonumber(counts[2] or '0')
local requests, tokens = tonumber(counts[3] or '0'), tonumber(counts[4] or '0')
local dayLimit, monthLimit, rpm, tpm, maxConc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = tonumber(ARGV[6])
local code = 'ok'
local inflight = 0
if dayLimit >= 0 and day >= dayLimit then code = 'budget_usd_day'
elseif monthLimit >= 0 and month >= monthLimit then code = 'budget_usd_month'
elseif rpm >= 0 and requests >= rpm then code = 'rpm'
elseif tpm >= 0 and tokens > tpm then code = 'tpm'
elseif maxConc >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  inflight = redis.call('ZCARD', KEYS[5])
  if inflight >= maxConc then code = 'max_concurrency' end
end
if code == 'ok' then
  requests = redis.call('INCR', KEYS[3])
  if requests == 1 then redis.call('PEXPIRE', KEYS[3], 120000) end
  if maxConc >= 0 then
    redis.call('ZADD', KEYS[5], now + tonumber(ARGV[8]), ARGV[7])
    redis.call('PEXPIRE', KEYS[5], ARGV[8])
    inflight = inflight + 1
  end
end
return {code, day, month, requests, tokens, inflight}
`

/**
 * KEYS: spend of the day, of the month, tokens of the minute, concurrency leases. ARGV: nano-dollars, tokens, then the
 * leases of requests that ended, freed with it (at most `MAX_SCRIPT_LEASES`).
 */
const RECORD = `
if #ARGV > 2 then redis.call('ZREM', KEYS[4], unpack(ARGV, 3)) end
local nanos, tokens = tonumber(ARGV[1]), tonumber(ARGV[2])
if nanos > 0 then
  redis.call('INCRBY', KEYS[1], nanos)
  redis.call('PEXPIRE', KEYS[1], 172800000)
  redis.call('INCRBY', KEYS[2], nanos)
  redis.call('PEXPIRE', KEYS[2], 2764800000)
end
if tokens > 0 then
  redis.call('INCRBY', KEYS[3], tokens)
  redis.call('PEXPIRE', KEYS[3], 120000)
end
return 1
`

/**
 * KEYS: requests of the admission's minute, concurrency leases. ARGV: the lease. An admission given back: uncounted
 * (a counter already gone is not brought back below zero) and its slot freed.
 */
const CANCEL = `
if redis.call('DECR', KEYS[1]) < 0 then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`

/** Leases `RECORD` frees at most (Lua's stack holds about 8 000 values). */
const MAX_SCRIPT_LEASES = 1000

/** KEYS: the record. ARGV: the in-progress record, its TTL. Returns the existing record, or nil once it is created. */
const IDEMPOTENCY_BEGIN = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`

interface Scripts {
  olrAdmit(...args: Array<string | number>): Promise<[string, number, number, number, number, number]>
  olrRecord(...args: Array<string | number>): Promise<number>
  olrCancel(...args: Array<string | number>): Promise<number>
  olrIdemBegin(...args: Array<string | number>): Promise<string | null>
}
type Client = RedisClient & Scripts

/** Sharing state through Redis (see the module comment). Create with `RedisSharedState.connect`. */
export class RedisSharedState implements SharedState {
  /** Loads ioredis (only when a state URL is set), connects, and resolves even when Redis is not reachable yet. */
  static async connect(options: RedisStateOptions): Promise<RedisSharedState> {
    const {Redis} = await import('ioredis')
    const common: RedisOptions = {
      lazyConnect: true,
      connectTimeout: Math.max(1000, options.timeoutMs * 10),
      // Reconnect with exponential backoff (with jitter), 50 ms to 2 s.
      retryStrategy: (times) => Math.round(Math.min(50 * 2 ** Math.min(times, 6), 2000) * (0.75 + Math.random() / 2)),
    }
    const client = new Redis(
      options.url,
      Object.assign({}, common, {
        // Nothing queues up for a Redis that is not there: a command fails at once, and the request goes on locally.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        // A backstop for the commands nothing waits for; those on a request's path have `timed` (see there).
        commandTimeout: Math.max(1000, options.timeoutMs * 10),
        // No auto-pipelining: it defers every write to a setImmediate, behind the audit work of the turn, and the
        // admission is on the request's path.
        enableAutoPipelining: false,
      }),
    ) as Client
    client.defineCommand('olrAdmit', {numberOfKeys: 5, lua: ADMIT})
    client.defineCommand('olrRecord', {numberOfKeys: 4, lua: RECORD})
    client.defineCommand('olrCancel', {numberOfKeys: 2, lua: CANCEL})
    client.defineCommand('olrIdemBegin', {numberOfKeys: 1, lua: IDEMPOTENCY_BEGIN})
    const subscriber = new Redis(
      options.url,
      Object.assign({}, common, {enableOfflineQueue: true, maxRetriesPerRequest: null}),
    )
    const state = new RedisSharedState(options, client, subscriber)
    await state.start()
    return state
  }

  readonly kind = 'redis' as const
  readonly idempotency: RedisIdempotencyStore
  /** Figures and slots while Redis cannot be used (see the module comment). */
  readonly local = new MemoryCounters()
  readonly replica = randomBytes(8).toString('hex')
  private readonly changes: string
  private readonly url: string
  private healthy = false
  private since = new Date().toISOString()
  private problem: string | null = 'not connected yet'
  private handler: ChangeHandler | undefined
  /** Spend and tokens counted while Redis was down, added to it when it is back. */
  private readonly pending = new Map<string, {tokens: number; nanos: number}>()
  /** Concurrency slots taken while Redis was down (released locally). */
  private readonly localLeases = new Set<string>()
  private probe: NodeJS.Timeout | undefined
  private recovering = false
  private closed = false
  /** Commands nothing waits for, written together once this turn of the event loop is over (see `later`). */
  private batch: ChainableCommander | undefined
  /** What to do when a command of the batch fails, by its position (null: only `fault`). */
  private batchFailures: Array<(() => void) | null> = []
  /**
   * What the requests that ended since the batch began add to each key: their spend and tokens, and the slots they
   * free. Written when the batch is, one command per key (see `flushBatch`).
   */
  private readonly ends = new Map<string, KeyEnd>()
  /** The names of each key's counters in the current windows. */
  private readonly names = new Map<string, CounterKeys>()
  /** Commands in a row that timed out while healthy. */
  private lateAnswers = 0
  /** When the store last came back, and how many times in a row it failed again soon after. */
  private recoveredAt = 0
  private flaps = 0

  private constructor(
    private readonly options: RedisStateOptions,
    private readonly client: Client,
    private readonly subscriber: RedisClient,
  ) {
    this.changes = `${options.prefix}changes`
    this.url = redactRedisUrl(options.url)
    this.idempotency = new RedisIdempotencyStore(this, client, options)
  }

  private async start(): Promise<void> {
    this.client.on('error', (error: Error) => this.fault(error))
    this.client.on('close', () => this.fault(new Error('connection closed')))
    this.client.on('ready', () => void this.recover())
    // Messages sent while the subscription is down are lost: that is a degraded store too, and coming back reads the
    // records in force, which covers what was missed.
    this.subscriber.on('error', () => {})
    this.subscriber.on('close', () => this.fault(new Error('subscription closed')))
    this.subscriber.on('ready', () => void this.recover())
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message))
    // Not awaited: the subscription connects (and re-subscribes after a reconnect) whenever Redis is there.
    this.subscriber.subscribe(this.changes, this.idempotency.channel).catch(() => {})
    await this.client.connect().catch((error: Error) => this.fault(error))
  }

  publish(change: StateChange): void {
    if (!this.healthy) return
    const message = JSON.stringify({from: this.replica, change})
    const key = this.recordKey(change)
    const ttl = this.recordTtl(change)
    if (ttl === null) this.later(null).del(key)
    else if (ttl > 0) this.later(null).set(key, message, 'PX', ttl)
    this.later(null).publish(this.changes, message)
  }

  publishMetrics(snapshot: LiveMetricsSnapshot | null, ttlMs: number): void {
    if (!this.healthy) return
    const now = Date.now()
    const set = `${this.options.prefix}metrics`
    if (snapshot === null) {
      this.later(null).zrem(set, this.replica)
      this.later(null).del(`${set}:${this.replica}`)
      return
    }
    this.later(null).set(`${set}:${this.replica}`, JSON.stringify(snapshot), 'PX', ttlMs)
    this.later(null).zadd(set, now + ttlMs, this.replica)
    this.later(null).zremrangebyscore(set, '-inf', now)
  }

  async fleetMetrics(): Promise<ReplicaSnapshot[]> {
    if (!this.healthy) return []
    const set = `${this.options.prefix}metrics`
    try {
      const replicas = await this.timed(this.client.zrangebyscore(set, Date.now(), '+inf'))
      if (replicas.length === 0) return []
      const texts = await this.timed(this.client.mget(replicas.map((r) => `${set}:${r}`)))
      const out: ReplicaSnapshot[] = []
      texts.forEach((text, i) => {
        if (text === null) return
        // A replica of another version may publish what this one cannot read: it is left out, not fatal.
        const parsed = LiveMetricsSnapshotSchema.safeParse(safeJson(text))
        if (parsed.success) out.push({replica: replicas[i], snapshot: parsed.data})
      })
      return out
    } catch (error) {
      this.fault(error as Error)
      return []
    }
  }

  async attach(handler: ChangeHandler): Promise<void> {
    this.handler = handler
    // A Redis that does not answer now must not stop the gateway from starting: coming back reads the records.
    if (this.healthy) await this.learnRecords().catch((error: Error) => this.fault(error))
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    if (!this.healthy) return this.admitLocally(request)
    const {limits, now, principal} = request
    // What the requests that ended already add goes first, on the same connection: an admission never overtakes the
    // spend of an answer this replica has already sent (the overspend bound counts on it), nor a slot it freed.
    if (this.batch !== undefined) this.flushBatch()
    const keys = this.counterKeys(principal, now)
    const command = this.client.olrAdmit(
      keys.day,
      keys.month,
      keys.requests,
      keys.tokens,
      keys.leases,
      limits.dayNanos ?? -1,
      limits.monthNanos ?? -1,
      limits.rpm ?? -1,
      limits.tpm ?? -1,
      limits.maxConcurrency ?? -1,
      now,
      request.leaseId,
      LEASE_TTL_MS,
    )
    let reply: Awaited<typeof command>
    try {
      reply = await this.timed(command)
    } catch (error) {
      // Redis may still run the script: what it counts then is not this request's (it runs on local state).
      command
        .then(([code]) => (code === 'ok' ? this.client.olrCancel(keys.requests, keys.leases, request.leaseId) : 0))
        .catch(() => {})
      this.fault(error as Error)
      return this.admitLocally(request)
    }
    this.lateAnswers = 0
    const [code, dayNanos, monthNanos, requests, tokens] = reply
    this.local.adopt(principal, {dayNanos, monthNanos, requests, tokens}, now)
    return {limit: code === 'ok' ? null : LimitCodeSchema.parse(code), tokens}
  }

  release(principal: string, leaseId: string): void {
    if (this.localLeases.delete(leaseId)) {
      this.local.release(principal, leaseId)
      return
    }
    // A slot Redis cannot free now frees itself after its TTL.
    if (this.healthy) this.endOf(principal, Date.now(), false).leases.push(leaseId)
  }

  cancel(principal: string, leaseId: string, now: number): void {
    if (this.localLeases.delete(leaseId) || !this.healthy) {
      this.local.cancel(principal, leaseId, now)
      return
    }
    const keys = this.counterKeys(principal, now)
    ;(this.later(null) as ChainableCommander & Scripts).olrCancel(keys.requests, keys.leases, leaseId)
  }

  record(principal: string, tokens: number, nanos: number, now: number): void {
    this.local.record(principal, tokens, nanos, now)
    if (!this.healthy) {
      this.keepAside(principal, tokens, nanos)
      return
    }
    const end = this.endOf(principal, now, true)
    end.tokens += tokens
    end.nanos += nanos
  }

  /**
   * What the requests of `principal` that end in this batch add (created, and the batch scheduled, if need be). Spend
   * counts in the windows of its `now`: spend of other windows already in it (a minute's boundary) is sent first.
   */
  private endOf(principal: string, now: number, spend: boolean): KeyEnd {
    this.schedule()
    const keys = this.counterKeys(principal, now)
    let end = this.ends.get(principal)
    if (end === undefined) {
      end = {keys, tokens: 0, nanos: 0, leases: []}
      this.ends.set(principal, end)
    } else if (spend && end.keys.tokens !== keys.tokens) {
      if (end.tokens > 0 || end.nanos > 0) {
        this.writeEnd(principal, end)
        end.tokens = 0
        end.nanos = 0
        end.leases = []
      }
      end.keys = keys
    }
    return end
  }

  /**
   * One key's end in the batch: its spend and tokens added and its slots freed by one script. Spend that fails to be
   * added is kept aside for when Redis is back.
   */
  private writeEnd(principal: string, end: KeyEnd): void {
    const {keys, tokens, nanos, leases} = end
    if (tokens === 0 && nanos === 0 && leases.length === 0) return
    const keepAside = tokens > 0 || nanos > 0 ? () => this.keepAside(principal, tokens, nanos) : null
    // A script takes its arguments on Lua's stack: slots beyond what one holds go in more scripts, without spend.
    const first = leases.length <= MAX_SCRIPT_LEASES ? leases : leases.slice(0, MAX_SCRIPT_LEASES)
    ;(this.later(keepAside) as ChainableCommander & Scripts).olrRecord(
      keys.day,
      keys.month,
      keys.tokens,
      keys.leases,
      nanos,
      tokens,
      ...first,
    )
    for (let i = MAX_SCRIPT_LEASES; i < leases.length; i += MAX_SCRIPT_LEASES) {
      const more = leases.slice(i, i + MAX_SCRIPT_LEASES)
      ;(this.later(null) as ChainableCommander & Scripts).olrRecord(
        keys.day,
        keys.month,
        keys.tokens,
        keys.leases,
        0,
        0,
        ...more,
      )
    }
  }

  /**
   * The batch of commands that nothing waits for (a slot's release, spend, published changes): written in one go when
   * this turn of the event loop is over, so that a busy replica sends one write for many requests, not one each.
   * `onFailure` runs when the command added next fails.
   */
  private later(onFailure: (() => void) | null): ChainableCommander {
    this.batchFailures.push(onFailure)
    return this.schedule()
  }

  /** The batch of this turn, created (and its writing scheduled) if need be. */
  private schedule(): ChainableCommander {
    if (this.batch === undefined) {
      this.batch = this.client.pipeline()
      setImmediate(() => this.flushBatch())
    }
    return this.batch
  }

  private flushBatch(): void {
    for (const [principal, end] of this.ends) this.writeEnd(principal, end)
    this.ends.clear()
    const batch = this.batch
    const failures = this.batchFailures
    this.batch = undefined
    this.batchFailures = []
    if (batch === undefined || failures.length === 0) return
    const failAll = (error: Error): void => {
      this.fault(error)
      for (const onFailure of failures) onFailure?.()
    }
    batch.exec().then((results) => {
      let failed: Error | null = null
      results?.forEach(([error], i) => {
        if (error === null) return
        failed ??= error
        failures[i]?.()
      })
      if (failed !== null) this.fault(failed)
    }, failAll)
  }

  async values(principals: readonly string[], now: number): Promise<Map<string, CounterValues>> {
    const out = new Map<string, CounterValues>()
    if (this.healthy && principals.length > 0) {
      try {
        const pipeline = this.client.pipeline()
        for (const p of principals) {
          const keys = this.counterKeys(p, now)
          pipeline.get(keys.day)
          pipeline.get(keys.month)
          pipeline.get(keys.requests)
          pipeline.get(keys.tokens)
          pipeline.zcount(keys.leases, now, '+inf')
        }
        const results = (await this.timed(pipeline.exec())) ?? []
        principals.forEach((p, i) => {
          const n = (j: number): number => Number(results[i * 5 + j]?.[1] ?? 0)
          out.set(p, {dayNanos: n(0), monthNanos: n(1), requests: n(2), tokens: n(3), inFlight: n(4)})
        })
        return out
      } catch (error) {
        this.fault(error as Error)
      }
    }
    for (const p of principals) out.set(p, this.local.values(p, now))
    return out
  }

  status(): StoreStatus {
    return {
      kind: 'redis',
      replica: this.replica,
      shared: this.healthy,
      url: this.url,
      since: this.since,
      problem: this.healthy ? null : this.problem,
    }
  }

  /**
   * `command`, or a rejection once it has taken longer than the time-out. The verdict waits for one more turn of the
   * event loop after the timer: under load the timer phase can come before the poll phase that holds the answer
   * already, and a process running behind must not take itself for a slow Redis.
   */
  timed<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const timer = setTimeout(() => {
        setImmediate(() => {
          if (settled) return
          settled = true
          reject(new Error('Command timed out'))
        })
      }, this.options.timeoutMs)
      command.then(
        (value) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  /** Whether commands go to Redis now (false while degraded). */
  get up(): boolean {
    return this.healthy
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.probe)
    this.flushBatch()
    this.idempotency.close()
    this.subscriber.disconnect()
    await this.client.quit().catch(() => this.client.disconnect())
  }

  /** Redis failed a command, timed out or dropped the connection: go local, and probe until it answers again. */
  fault(error: Error): void {
    if (this.closed) return
    const message = describeError(error)
    // One late answer is more often this process's own event loop running behind under load than a slow Redis: the
    // request that waited goes on locally, and the store turns degraded only after several in a row.
    if (this.healthy && /timed out/i.test(error.message) && ++this.lateAnswers < LATE_ANSWERS_TO_DEGRADE) return
    this.lateAnswers = 0
    if (this.healthy) {
      this.healthy = false
      this.since = new Date().toISOString()
      this.problem = message
      // A store that fails again soon after it came back is probed less often each time (up to every 2 s), so that
      // a Redis that stays slow costs the time-out to a few requests every few seconds, not to many all the time.
      this.flaps = Date.now() - this.recoveredAt < 30_000 ? Math.min(this.flaps + 1, 4) : 0
      this.options.onStatus?.('down', `${this.url}: ${message}; requests go on with this replica's own state`)
    } else if (this.problem === 'not connected yet') {
      this.problem = message
      this.options.onStatus?.('down', `${this.url}: ${message}; requests go on with this replica's own state`)
    }
    this.scheduleProbe(1 + this.flaps)
  }

  /** While degraded with a live connection (a slow Redis), PING with backoff; `ready` covers a reconnect. */
  private scheduleProbe(attempt: number): void {
    if (this.probe !== undefined || this.closed) return
    const delay = Math.min(100 * 2 ** attempt, 2000)
    this.probe = setTimeout(() => {
      this.probe = undefined
      if (this.healthy || this.closed) return
      if (this.client.status !== 'ready') {
        this.scheduleProbe(attempt + 1)
        return
      }
      this.timed(this.client.ping()).then(
        () => void this.recover(),
        () => this.scheduleProbe(attempt + 1),
      )
    }, delay)
    this.probe.unref()
  }

  /** Redis answers again: learn the records in force, publish ours, add the spend kept aside, then share. */
  private async recover(): Promise<void> {
    if (this.healthy || this.recovering || this.closed) return
    // Both connections must be up; the one that comes up last calls this again.
    if (this.client.status !== 'ready' || this.subscriber.status !== 'ready') return
    this.recovering = true
    try {
      await this.learnRecords()
      const now = Date.now()
      for (const [principal, kept] of this.pending) await this.sendRecord(principal, kept.tokens, kept.nanos, now)
      this.pending.clear()
      await this.idempotency.flush()
      this.healthy = true
      this.recoveredAt = now
      this.since = new Date().toISOString()
      this.problem = null
      for (const change of this.handler?.current(now) ?? []) this.publish(change)
      this.options.onStatus?.('up', `${this.url}: connected; state is shared`)
    } catch (error) {
      this.problem = describeError(error as Error)
      this.scheduleProbe(1)
    } finally {
      this.recovering = false
    }
  }

  /** Applies every cool-down and breaker record in force (a replica that starts or reconnects). */
  private async learnRecords(): Promise<void> {
    if (this.handler === undefined) return
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, found] = await this.client.scan(cursor, 'MATCH', `${this.options.prefix}rec:*`, 'COUNT', 500)
      cursor = next
      keys.push(...found)
    } while (cursor !== '0')
    if (keys.length === 0) return
    const values = await this.client.mget(keys)
    for (const value of values) if (value !== null) this.applyMessage(value)
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.changes) this.applyMessage(message)
    else if (channel === this.idempotency.channel) this.idempotency.wake(message)
  }

  private applyMessage(message: string): void {
    let parsed: {from?: string; change?: StateChange}
    try {
      parsed = JSON.parse(message) as {from?: string; change?: StateChange}
    } catch {
      return
    }
    if (parsed.from === this.replica || parsed.change === undefined) return
    this.handler?.apply(parsed.change)
  }

  private admitLocally(request: AdmitRequest): AdmitResult {
    const result = this.local.admit(request)
    if (result.limit === null && request.limits.maxConcurrency !== null) this.localLeases.add(request.leaseId)
    return result
  }

  private keepAside(principal: string, tokens: number, nanos: number): void {
    const kept = this.pending.get(principal)
    if (kept === undefined) this.pending.set(principal, {tokens, nanos})
    else {
      kept.tokens += tokens
      kept.nanos += nanos
    }
  }

  private sendRecord(principal: string, tokens: number, nanos: number, now: number): Promise<number> {
    const keys = this.counterKeys(principal, now)
    return this.client.olrRecord(keys.day, keys.month, keys.tokens, keys.leases, nanos, tokens)
  }

  /** The names of a key's counters in the windows of `now` (kept per key while the windows stay the same). */
  private counterKeys(principal: string, now: number): CounterKeys {
    const w = windows(now)
    let keys = this.names.get(principal)
    if (keys === undefined || keys.windows.minute !== w.minute) {
      const base = `${this.options.prefix}key:${principal}:`
      keys = {
        windows: w,
        day: `${base}d:${w.day}`,
        month: `${base}m:${w.month}`,
        requests: `${base}r:${w.minute}`,
        tokens: `${base}t:${w.minute}`,
        leases: `${base}c`,
      }
      this.names.set(principal, keys)
    }
    return keys
  }

  private recordKey(change: StateChange): string {
    if (change.kind === 'session') return `${this.options.prefix}rec:se:${change.id}`
    const what = change.kind === 'breaker' ? 'br' : 'cd'
    const model = change.kind === 'cooldown_clear' ? '' : (change.model ?? '')
    return `${this.options.prefix}rec:${what}:${change.account}\n${model}`
  }

  /** How long a change's record lives (ms); null: the change removes it. */
  private recordTtl(change: StateChange): number | null {
    const now = Date.now()
    if (change.kind === 'session') return change.state.answered_at + change.ttlMs - now
    if (change.kind === 'cooldown') return change.until - now
    if (change.kind === 'cooldown_clear') return null
    return change.state === 'open' ? change.openedAt + this.options.breakerRecoveryMs - now : null
  }
}

/**
 * Idempotency records in Redis (`IdempotencyStore`), falling back to a local store while Redis is down. A key begun
 * locally is finished locally; a result Redis could not take is written when it is back.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly channel: string
  private readonly local: MemoryIdempotencyStore
  private readonly localKeys = new Set<string>()
  /** Fingerprints of the keys this replica began in Redis, until it settles them. */
  private readonly begun = new Map<string, string>()
  private readonly waiters = new Map<string, Set<() => void>>()
  /** Results Redis could not take, written when it is back. */
  private readonly unsent = new Map<string, string | null>()
  private readonly inProgressTtlMs: number

  constructor(
    private readonly owner: RedisSharedState,
    private readonly client: Client,
    private readonly options: RedisStateOptions,
  ) {
    this.channel = `${options.prefix}idem`
    this.local = new MemoryIdempotencyStore(options.idempotency)
    this.inProgressTtlMs = options.idempotency.inProgressTtlMs ?? 15 * 60_000
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    if (!this.owner.up || this.localKeys.has(key)) return this.local.get(key)
    try {
      const value = await this.owner.timed(this.client.get(this.key(key)))
      return value === null ? undefined : recordFromJson(value)
    } catch (error) {
      this.owner.fault(error as Error)
      return this.local.get(key)
    }
  }

  async begin(
    key: string,
    fingerprint: string,
  ): Promise<{started: true} | {started: false; record: IdempotencyRecord}> {
    if (this.owner.up && !this.localKeys.has(key)) {
      const record: IdempotencyRecord = {state: 'in_progress', fingerprint}
      const command = this.client.olrIdemBegin(this.key(key), JSON.stringify(record), this.inProgressTtlMs)
      try {
        const existing = await this.owner.timed(command)
        if (existing === null) {
          this.begun.set(key, fingerprint)
          return {started: true}
        }
        return {started: false, record: recordFromJson(existing)}
      } catch (error) {
        // Redis may still create the record: this key runs locally now, so a late one is removed.
        command.then((existing) => (existing === null ? this.client.del(this.key(key)) : 0)).catch(() => {})
        this.owner.fault(error as Error)
      }
    }
    const begun = await this.local.begin(key, fingerprint)
    if (begun.started) this.localKeys.add(key)
    return begun
  }

  async complete(key: string, response: StoredResponse): Promise<void> {
    if (this.localKeys.delete(key)) return this.local.complete(key, response)
    const fingerprint = this.begun.get(key) ?? ''
    this.begun.delete(key)
    let bytes = response.body.length * 2
    for (const name in response.headers) bytes += (name.length + response.headers[name].length) * 2
    // As in memory: one huge answer is not remembered.
    const value =
      bytes <= this.options.idempotency.maxBytes / 4 ? recordToJson({state: 'completed', fingerprint, response}) : null
    await this.settle(key, value)
  }

  async fail(key: string): Promise<void> {
    if (this.localKeys.delete(key)) return this.local.fail(key)
    this.begun.delete(key)
    await this.settle(key, null)
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    if (this.localKeys.has(key) || !this.owner.up) return this.local.waitForChange(key, timeoutMs)
    return new Promise((resolve) => {
      let set = this.waiters.get(key)
      if (set === undefined) {
        set = new Set()
        this.waiters.set(key, set)
      }
      const done = (): void => {
        clearTimeout(timer)
        set.delete(done)
        if (set.size === 0) this.waiters.delete(key)
        resolve()
      }
      // A missed message (a reconnect in between) costs at most a second: the caller looks again.
      const timer = setTimeout(done, Math.min(timeoutMs, 1000))
      set.add(done)
    })
  }

  /** A message on the channel: the record of this key changed. */
  wake(key: string): void {
    for (const done of [...(this.waiters.get(key) ?? [])]) done()
  }

  /** Writes the results Redis could not take while it was down. */
  async flush(): Promise<void> {
    for (const [key, value] of this.unsent) {
      await this.write(key, value)
      this.unsent.delete(key)
    }
  }

  close(): void {
    for (const key of [...this.waiters.keys()]) this.wake(key)
    this.local.close()
  }

  private async settle(key: string, value: string | null): Promise<void> {
    try {
      await this.write(key, value)
    } catch (error) {
      this.owner.fault(error as Error)
      this.unsent.set(key, value)
    }
  }

  private async write(key: string, value: string | null): Promise<void> {
    const redisKey = this.key(key)
    // The record and the message that wakes the waiters, in one round trip.
    const pipeline = this.client.pipeline()
    if (value === null) pipeline.del(redisKey)
    else pipeline.set(redisKey, value, 'PX', this.options.idempotency.ttlMs)
    pipeline.publish(this.channel, key)
    const results = await this.owner.timed(pipeline.exec())
    const failed = results?.find(([error]) => error !== null)
    if (failed) throw failed[0]
  }

  private key(key: string): string {
    return `${this.options.prefix}idem:${key}`
  }
}

/** `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'redis://***'
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function describeError(error: Error): string {
  const message = error.message || String(error)
  if (/timed out/i.test(message)) return 'no answer within the time-out (Redis slow or stalled)'
  if (/ECONNREFUSED/.test(message)) return 'connection refused'
  if (/isn't writeable|Connection is closed|connection closed/i.test(message)) return 'not connected'
  return message.replace(/\/\/[^@/]*@/, '//***@')
}
