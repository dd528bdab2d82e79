/**
 * Budgets and limits of managed keys (`router keys create`, docs/gateway.md "Managed keys, budgets and limits").
 *
 * As soon as a request of a key with limits is read, `admit` asks the shared state, in one atomic operation, whether
 * the key is under its daily and monthly budget, its requests and tokens per minute and its concurrency, and counts
 * it; the store's answer (a round trip with Redis) comes while the request is routed, and `Admission.check` reads it
 * just before the request goes upstream. A refusal is a 429 with `Retry-After` and an error whose code names the
 * limit. The key's `allowed_models` restrict its routing as a request's own `allowed_models` would. Spend and tokens
 * are added when the answer's `proxy_response` audit event says what it cost (the gateway knows spend from its audit
 * events, like every reader).
 *
 * The keys file is read at start and again when it changes (checked every two seconds): a created key works and a
 * revoked one is refused from then on, without a restart.
 */
import {randomBytes} from 'node:crypto'
import {unwatchFile, watchFile} from 'node:fs'

import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {IngressKey} from '../core/auth/ingress.js'
import {managedIngressKeys, readKeysFile} from '../core/auth/keys.js'
import type {KeysFile, KeysReport, LimitCode, StoredKey} from '../core/auth/schema.js'
import {RoutingError} from '../core/errors.js'
import {NANO_PER_USD, nanoUsd} from '../core/metrics/usage.js'
import type {RuntimeConfig} from '../core/config/schema.js'
import {modelInfo} from '../core/routing/model-info.js'
import type {RoutingDecision} from '../core/routing/schema.js'
import {matchesAny} from '../core/routing/select.js'
import {ERRORS, type GatewayError} from './errors.js'
import {
  counterLimits,
  retryAfterSeconds,
  type AdmitResult,
  type CounterLimits,
  type SharedState,
} from './shared-state/types.js'

/** One managed key as the gateway uses it. */
interface ManagedKey {
  stored: StoredKey
  limits: CounterLimits
  /** Whether any counted limit is set (else admission asks nothing of the store). */
  counted: boolean
}

/** Concurrency slots are named by this process's random prefix and a counter: unique across replicas, and cheaper
 * than random bytes for each request. */
const LEASE_PREFIX = randomBytes(9).toString('base64url') + '.'
let leases = 0

/** The managed keys of a gateway and their limits. */
export class KeyLimiter {
  private keys = new Map<string, ManagedKey>()
  private watching = false
  private readonly stopRecording: () => void

  constructor(
    private readonly shared: SharedState,
    bus: AuditEventBus,
    private readonly options: {
      path: string
      onChange?: (keys: IngressKey[]) => void
      onWarning?: (message: string) => void
    },
  ) {
    this.stopRecording = bus.subscribe((event) => {
      if (event.event !== 'proxy_response' || event.principal === undefined || !this.keys.has(event.principal)) return
      const tokens = (event.usage?.prompt_tokens ?? 0) + (event.usage?.completion_tokens ?? 0)
      const nanos = typeof event.cost_usd === 'number' ? nanoUsd(event.cost_usd) : 0
      if (tokens > 0 || nanos > 0) this.shared.record(event.principal, tokens, nanos, Date.now())
    })
  }

  /** Reads the keys file (a missing one has no keys); throws a `ConfigError` for an invalid one. */
  async load(): Promise<IngressKey[]> {
    return this.use(await readKeysFile(this.options.path))
  }

  /** Takes the keys of a keys file already read; returns those that authenticate. */
  use(file: KeysFile): IngressKey[] {
    const keys = new Map<string, ManagedKey>()
    for (const stored of file.keys) {
      const limits = counterLimits(stored.limits)
      const counted =
        limits.rpm !== null ||
        limits.tpm !== null ||
        limits.maxConcurrency !== null ||
        limits.dayNanos !== null ||
        limits.monthNanos !== null
      keys.set(stored.name, {stored, limits, counted})
    }
    this.keys = keys
    return managedIngressKeys(file)
  }

  /** Reloads the file when it changes; an invalid file keeps the keys in force and warns. */
  watch(): void {
    if (this.watching) return
    this.watching = true
    watchFile(this.options.path, {interval: 2000, persistent: false}, () => {
      this.load().then(
        (keys) => this.options.onChange?.(keys),
        (error: Error) => this.options.onWarning?.(`keys file not reloaded, the keys in force stay: ${error.message}`),
      )
    })
  }

  /** The key's `allowed_models`, to put in a request that names none. */
  allowedModels(principal: string | undefined): string[] | undefined {
    return principal === undefined ? undefined : this.keys.get(principal)?.stored.limits.allowed_models
  }

  /**
   * Starts counting a request against its key's limits (undefined when the key has none): the store is asked now, and
   * the request's `Admission` holds the answer until `check`. Call `release` on it when the request ends, whatever
   * happened.
   */
  admit(principal: string | undefined): Admission | undefined {
    if (principal === undefined) return undefined
    const key = this.keys.get(principal)
    if (key === undefined || !key.counted) return undefined
    return new Admission(this.shared, principal, key, LEASE_PREFIX + (++leases).toString(36), Date.now())
  }

  /** Spend and counters of every managed key (`GET /v1/router/keys`). */
  async report(): Promise<KeysReport> {
    const now = Date.now()
    const names = [...this.keys.keys()].sort()
    const values = await this.shared.values(names, now)
    const status = this.shared.status()
    return {
      schema_version: 1,
      generated_at: new Date(now).toISOString(),
      store: status.kind,
      shared: status.shared,
      keys: names.map((name) => {
        const {stored} = this.keys.get(name)!
        const v = values.get(name)
        return {
          name,
          hint: stored.hint,
          revoked: stored.revoked_at !== null,
          limits: stored.limits,
          spend_usd_day: (v?.dayNanos ?? 0) / NANO_PER_USD,
          spend_usd_month: (v?.monthNanos ?? 0) / NANO_PER_USD,
          requests_this_minute: v?.requests ?? 0,
          tokens_this_minute: v?.tokens ?? 0,
          in_flight: v?.inFlight ?? 0,
        }
      }),
    }
  }

  close(): void {
    this.stopRecording()
    if (this.watching) unwatchFile(this.options.path)
  }
}

/**
 * One request's admission, from the moment its key is known to the end of the request: asked of the store when the
 * request is read, checked once it is routed, released when it ends.
 */
export class Admission {
  private readonly answer: Promise<AdmitResult>
  /** `asked`: the answer is not checked yet; `admitted`: the request holds its count and slot; `done`: nothing held. */
  private state: 'asked' | 'admitted' | 'done' = 'asked'

  constructor(
    private readonly shared: SharedState,
    private readonly principal: string,
    private readonly key: ManagedKey,
    /** Names the concurrency slot this request holds. */
    private readonly leaseId: string,
    private readonly now: number,
  ) {
    this.answer = shared.admit({principal, limits: key.limits, now, leaseId})
  }

  /**
   * Waits for the store's answer and throws the 429 that names the limit the key is over. The request's prompt
   * estimate (known once it is routed) is checked against `tpm` here: the store saw the minute's tokens alone, and an
   * admission the estimate refuses is given back.
   */
  async check(estimatedTokens: number): Promise<void> {
    const result = await this.answer
    if (this.state !== 'asked') return
    const {tpm} = this.key.limits
    let limit = result.limit
    // The store checks the limits in the order budget, rpm, tpm, concurrency: a tpm refusal comes before concurrency.
    if (
      (limit === null || limit === 'max_concurrency') &&
      tpm !== null &&
      result.tokens > 0 &&
      result.tokens + estimatedTokens > tpm
    ) {
      if (limit === null) this.shared.cancel(this.principal, this.leaseId, this.now)
      limit = 'tpm'
    }
    if (limit === null) {
      this.state = 'admitted'
      return
    }
    this.state = 'done'
    throw limitError(this.key.stored, limit, retryAfterSeconds(limit, this.now))
  }

  /** The request ended: frees its slot, or gives back an admission it never used (routing refused it). */
  release(): void {
    const state = this.state
    this.state = 'done'
    if (state === 'admitted') {
      if (this.key.limits.maxConcurrency !== null) this.shared.release(this.principal, this.leaseId)
    } else if (state === 'asked') {
      this.answer.then(
        (result) => {
          if (result.limit === null) this.shared.cancel(this.principal, this.leaseId, this.now)
        },
        () => {},
      )
    }
  }
}

/** The 429 of a request over its key's `limit`: OpenAI's shape, the limit named in the code and the message. */
export function limitError(key: StoredKey, limit: LimitCode, retryAfterSeconds: number): GatewayError {
  const value = key.limits[limit]
  const shown = limit.startsWith('budget') ? `$${value}` : String(value)
  return ERRORS.keyLimitExceeded(key.name, limit, shown, retryAfterSeconds)
}

/**
 * Routes a request within its key's `allowed_models` (undefined: no restriction). A request that names none of its
 * own is routed with the key's, as if it had sent them; one that names its own is routed with those, and then only
 * the models of its chain that the key allows are kept. Nothing allowed left is the key's refusal: a 403
 * `model_not_allowed` that says which models the key may use.
 */
export function decideWithinKey(
  allowed: readonly string[] | undefined,
  input: Record<string, unknown>,
  config: RuntimeConfig,
  decide: () => RoutingDecision,
): RoutingDecision {
  if (allowed === undefined) return decide()
  if (input.allowed_models === undefined) {
    input.allowed_models = [...allowed]
    try {
      return decide()
    } catch (error) {
      if (!(error instanceof RoutingError) || (error.code !== 'no_candidates' && error.code !== 'model_not_found'))
        throw error
      throw notAllowed(allowed, error.message)
    }
  }
  const decision = decide()
  const chain = [decision.selected_model, ...decision.fallback_models].filter((model) =>
    matchesAny(allowed, model, modelInfo(config, model).id),
  )
  if (chain.length === 0)
    throw notAllowed(
      allowed,
      `the request's allowed_models leave none of them (it was routed to ${decision.selected_model}).`,
    )
  decision.selected_model = chain[0]
  decision.fallback_models = chain.slice(1)
  return decision
}

function notAllowed(allowed: readonly string[], why: string): GatewayError {
  return ERRORS.modelNotAllowed(allowed, why)
}
