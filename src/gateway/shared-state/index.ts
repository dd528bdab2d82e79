/**
 * Opening the shared state a gateway's settings ask for, and connecting this replica's trackers to it.
 */
import {mergeSnapshots} from '../../core/metrics/fleet.js'
import type {LiveMetrics} from '../../core/metrics/live-metrics.js'
import type {LiveMetricsSnapshot} from '../../core/metrics/schema.js'
import type {GatewaySettings} from '../../core/settings/schema.js'
import type {CircuitBreakers} from '../breakers.js'
import type {CooldownTracker} from '../cooldowns.js'
import type {MemoryStoreOptions} from '../idempotency.js'
import type {SessionTracker} from '../sessions.js'
import {MemorySharedState} from './memory.js'
import type {SharedState, StateChange} from './types.js'

export type {SharedState, StoreStatus} from './types.js'

export interface OpenStateOptions {
  /** The store stopped (`down`) or started (`up`) sharing. */
  onStatus?: (status: 'up' | 'down', message: string) => void
  /** This process is a `serve --workers` worker: without a state URL, its primary keeps the state. */
  worker?: boolean
}

/** The store of `settings`: Redis with `state_url`, the primary for a worker, else this process's memory. */
export async function openSharedState(settings: GatewaySettings, options: OpenStateOptions = {}): Promise<SharedState> {
  const idempotency: MemoryStoreOptions = {
    ttlMs: settings.idempotency_ttl_seconds * 1000,
    maxEntries: settings.idempotency_max_entries,
    maxBytes: settings.idempotency_max_bytes,
  }
  if (settings.state_url !== undefined) {
    const {RedisSharedState} = await import('./redis.js')
    return RedisSharedState.connect({
      url: settings.state_url,
      prefix: settings.state_prefix,
      timeoutMs: settings.state_timeout_ms,
      idempotency,
      breakerRecoveryMs: settings.circuit_breaker_recovery_timeout_seconds * 1000,
      onStatus: options.onStatus,
    })
  }
  if (options.worker) {
    const {PrimarySharedState} = await import('./ipc.js')
    return new PrimarySharedState(settings.state_timeout_ms, idempotency, options.onStatus)
  }
  return new MemorySharedState(idempotency)
}

/**
 * Mirrors this replica's cool-downs, breaker transitions and sessions through `shared`: its changes are published,
 * the others' applied, and the changes in force are learnt now.
 */
export async function mirrorTrackers(
  shared: SharedState,
  cooldowns: CooldownTracker,
  breakers: CircuitBreakers | undefined,
  sessions?: SessionTracker,
): Promise<void> {
  if (shared.kind === 'memory') return
  cooldowns.onChange = (change) => shared.publish(change)
  if (breakers) breakers.onChange = (change) => shared.publish(change)
  const sessionTtlMs = (): number => (sessions?.current.ttl_seconds ?? 0) * 1000
  if (sessions) sessions.onChange = (id, state) => shared.publish({kind: 'session', id, state, ttlMs: sessionTtlMs()})
  await shared.attach({
    apply(change: StateChange) {
      if (change.kind === 'breaker') breakers?.apply(change)
      else if (change.kind === 'session') sessions?.store.merge(change.id, change.state)
      else cooldowns.apply(change, Date.now())
    },
    current(now: number): StateChange[] {
      const changes: StateChange[] = cooldowns
        .active(now)
        .filter((c) => c.until > now)
        .map((c) => ({kind: 'cooldown', account: c.account, model: c.model, until: c.until, reason: c.reason}))
      if (breakers) changes.push(...breakers.openChanges())
      if (sessions) {
        const ttlMs = sessionTtlMs()
        for (const [id, state] of sessions.store.current(now)) changes.push({kind: 'session', id, state, ttlMs})
      }
      return changes
    },
  })
}

/**
 * Publishes this replica's live metrics through `shared` every `intervalMs` (kept three intervals, so that a replica
 * that dies drops out of the fleet view; one that stops withdraws it). Nothing for the memory store: one process is its
 * own fleet. Returns the stop.
 */
export function publishFleetMetrics(shared: SharedState, metrics: LiveMetrics, intervalMs: number): () => void {
  if (shared.kind === 'memory') return () => {}
  const publish = (): void => shared.publishMetrics(metrics.snapshot(), intervalMs * 3)
  const timer = setInterval(publish, intervalMs)
  timer.unref()
  publish()
  return () => {
    clearInterval(timer)
    shared.publishMetrics(null, 0)
  }
}

/** The fleet's live metrics: this replica's snapshot now, merged with the others' last published ones. */
export async function fleetSnapshot(shared: SharedState, metrics: LiveMetrics): Promise<LiveMetricsSnapshot> {
  const others = (await shared.fleetMetrics()).filter((p) => p.replica !== shared.replica)
  return mergeSnapshots([{replica: shared.replica, snapshot: metrics.snapshot()}, ...others], Date.now())
}
