/** Everything a running gateway shares between requests. The config is swapped whole on hot reload. */
import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {LoadedConfig} from '../core/config/load.js'
import type {LiveStatsSource} from '../core/routing/select.js'
import type {GatewaySettings} from '../core/settings/schema.js'
import type {CredentialResolver} from './credentials.js'
import type {CooldownTracker} from './retry-after.js'
import type {UpstreamClient} from './upstream.js'

/** Circuit breakers per account and model (see `breakers.ts`). */
export interface BreakerRegistry {
  /** Whether a target may be tried now; `until` is when an open breaker lets a probe through. */
  check(account: string, model: string, now: number): {allowed: boolean; until: number | null; reason: string}
  /** The outcome of an attempt: `ok` false for retryable failures only. */
  record(account: string, model: string, ok: boolean, now: number): void
}

export interface GatewayState {
  config: LoadedConfig
  settings: GatewaySettings
  bus: AuditEventBus
  upstream: UpstreamClient
  cooldowns: CooldownTracker
  credentials: CredentialResolver
  breakers?: BreakerRegistry
  stats?: LiveStatsSource
  /** `Date.now()` when the gateway started. */
  startedAt: number
}
