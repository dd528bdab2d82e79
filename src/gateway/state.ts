/** Everything a running gateway shares between requests. The config is swapped whole on hot reload. */
import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {BreakerState} from '../core/audit/schema.js'
import type {LoadedConfig} from '../core/config/load.js'
import type {RuntimeConfig} from '../core/config/schema.js'
import type {LiveMetrics} from '../core/metrics/live-metrics.js'
import type {LiveStatsSource} from '../core/routing/select.js'
import type {GatewaySettings} from '../core/settings/schema.js'
import type {AuditLogStatus} from './audit-log.js'
import type {CredentialResolver} from './credentials.js'
import type {EventStreamHub} from './events-stream.js'
import type {QualityFeedback} from './feedback.js'
import type {SessionTracker} from './sessions.js'
import type {IdempotencyCoordinator} from './idempotency.js'
import type {IngressAuthenticator} from './ingress-auth.js'
import type {PrometheusMetrics} from './prometheus.js'
import type {CooldownTracker} from './cooldowns.js'
import type {KeyLimiter} from './key-limits.js'
import type {SharedState} from './shared-state/index.js'
import type {RuntimePolicy} from './runtime-policy.js'
import type {UpstreamClient} from './upstream.js'

/**
 * Permission for one attempt, from `BreakerRegistry.check`. It must be settled exactly once: `success` (an answer,
 * including a non-retryable 4xx), `failure` (a retryable failure; `connection` when the account was unreachable), or
 * `release` (no verdict: the client left, the attempt was never sent, a 429). Extra calls are ignored.
 */
export interface BreakerTicket {
  readonly allowed: true
  /** This attempt is a half-open probe. */
  readonly probe: boolean
  success(now: number): void
  failure(now: number, connection?: boolean): void
  release(): void
}

/** A target the breakers do not let through now. */
export interface BreakerDenial {
  readonly allowed: false
  /** When an open breaker lets a probe through (epoch ms); null while the probe slots are taken. */
  until: number | null
  reason: string
}

export type BreakerCheck = BreakerTicket | BreakerDenial

/** Circuit breakers per account and model (see `breakers.ts`). */
export interface BreakerRegistry {
  /** Whether a target may be tried now; when it may, the ticket to settle with the attempt's outcome. */
  check(account: string, model: string, provider: string, now: number): BreakerCheck
  /** Breakers that are not closed (or are counting failures), for `/health`. */
  states?(): BreakerStatus[]
}

/** One breaker as `/health` shows it; `model` is null for an account-wide breaker. */
export interface BreakerStatus {
  account: string
  model: string | null
  provider: string
  state: BreakerState
  failures: number
  probes: number
  /** When an open breaker lets a probe through (epoch ms); null unless open. */
  until: number | null
}

export interface GatewayState {
  /** The loaded config (with the default account when it declares none). */
  config: LoadedConfig
  /** What routing and the proxy use: `config.config` with the runtime policy's adjusted priors. */
  routingConfig: RuntimeConfig
  settings: GatewaySettings
  bus: AuditEventBus
  upstream: UpstreamClient
  cooldowns: CooldownTracker
  /** Bytes of whole answers held in memory right now, against `max_buffered_response_bytes`. */
  bufferedAnswers: {bytes: number}
  credentials: CredentialResolver
  /** The last reason each account had no usable credential (cleared when a refresh succeeds). */
  credentialProblems: Map<string, string>
  breakers?: BreakerRegistry
  /** Live EWMA figures per model for routing (from `metrics`). */
  stats?: LiveStatsSource
  /** The live metrics fed by the bus (`LIVE_METRICS_ENABLED`). */
  metrics?: LiveMetrics
  policy?: RuntimePolicy
  /** Quality verdicts: retries noticed, and `POST /v1/router/feedback`. */
  feedback?: QualityFeedback
  /** Conversations and what answered their last turn, for session affinity. */
  sessions?: SessionTracker
  auth?: IngressAuthenticator
  idempotency?: IdempotencyCoordinator
  /** Where replicas share cool-downs, breakers, idempotency and key counters (in this process by default). */
  shared: SharedState
  /** The `serve --workers` worker this gateway is (its cluster id), shown by `/health`. */
  worker?: number
  /** Managed keys' budgets and limits (`router keys`). */
  limits?: KeyLimiter
  events?: EventStreamHub
  prometheus?: PrometheusMetrics
  /** The audit log writer (`ROUTER_AUDIT_LOG_ENABLED`), for its status in `/health`. */
  auditLog?: {status(): AuditLogStatus}
  /** Set when shutdown begins: new requests get a 503. */
  draining: boolean
  /**
   * Proxied requests in progress (shutdown waits for their audit events), and how many have started in all; `onIdle`
   * is called when `count` drops to 0.
   */
  active: {count: number; started: number; onIdle: (() => void) | null}
  /** `Date.now()` when the gateway started. */
  startedAt: number
}

/** Swaps in a new loaded config (hot reload, start): routing gets the policy's view of it. */
export function applyConfig(
  state: Pick<GatewayState, 'config' | 'routingConfig' | 'policy'>,
  loaded: LoadedConfig,
): void {
  state.config = loaded
  state.routingConfig = state.policy ? state.policy.view(loaded.config) : loaded.config
}
