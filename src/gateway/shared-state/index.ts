/**
 * Opening the shared state a gateway's settings ask for, and connecting this replica's trackers to it.
 */
import type {GatewaySettings} from '../../core/settings/schema.js'
import type {CircuitBreakers} from '../breakers.js'
import type {CooldownTracker} from '../cooldowns.js'
import type {MemoryStoreOptions} from '../idempotency.js'
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
 * Mirrors this replica's cool-downs and breaker transitions through `shared`: its changes are published, the others'
 * applied, and the changes in force are learnt now.
 */
export async function mirrorTrackers(shared: SharedState, cooldowns: CooldownTracker, breakers: CircuitBreakers | undefined): Promise<void> {
  if (shared.kind === 'memory') return
  cooldowns.onChange = (change) => shared.publish(change)
  if (breakers) breakers.onChange = (change) => shared.publish(change)
  await shared.attach({
    apply(change: StateChange) {
      if (change.kind === 'breaker') breakers?.apply(change)
      else cooldowns.apply(change, Date.now())
    },
    current(now: number): StateChange[] {
      const changes: StateChange[] = cooldowns
        .active(now)
        .filter((c) => c.until > now)
        .map((c) => ({kind: 'cooldown', account: c.account, model: c.model, until: c.until, reason: c.reason}))
      return breakers ? [...changes, ...breakers.openChanges()] : changes
    },
  })
}
