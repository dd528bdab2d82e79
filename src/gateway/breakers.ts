/**
 * Circuit breakers, per target (account + model) and per account.
 *
 * A target breaker opens after `failureThreshold` consecutive retryable failures of that target (a status in
 * `retry_statuses` other than 429, a 5xx answer, a timeout, a reset, a protocol error). An account breaker opens
 * after as many consecutive *connection* failures of the account, whatever the model (connection refused, DNS, connect
 * timeout): the endpoint is down, so every model it serves is skipped, not each after its own N failures. Any answer
 * from the account (any status) resets its connection count.
 *
 * After `recoveryMs` an open breaker lets at most `halfOpenMaxProbes` attempts through at once (half-open). A probe that
 * gets an answer closes it; a probe that fails opens it again for another `recoveryMs`. An attempt that ends without a
 * verdict (the client left, no credential, a request the provider cannot express, a 429, which the Retry-After
 * cool-down handles) frees its probe slot and changes nothing. Every admitted attempt holds a ticket that must be
 * settled exactly once (`success`, `failure` or `release`); later calls on a settled probe are ignored, so a path that
 * settles twice cannot corrupt the counts, and the proxy releases any ticket still open when a request ends.
 *
 * Every transition is published as a `circuit_state` audit event. Open → half-open happens when a request checks the
 * target after the recovery time (breakers have no timers).
 */
import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {BreakerState} from '../core/audit/schema.js'
import type {BreakerCheck, BreakerRegistry, BreakerStatus, BreakerTicket} from './state.js'

export interface BreakerOptions {
  /** Consecutive retryable failures that open a breaker. */
  failureThreshold: number
  /** Time an open breaker waits before letting probes through, in ms. */
  recoveryMs: number
  /** Probes in flight at most while half-open. */
  halfOpenMaxProbes: number
}

/** One breaker: a target's (`model` set) or an account's (`model` null). */
class Breaker {
  state: BreakerState = 'closed'
  failures = 0
  openedAt = 0
  probes = 0

  constructor(
    readonly account: string,
    readonly model: string | null,
    readonly provider: string,
  ) {}
}

/** The ticket of an attempt admitted while everything was closed: shared, settled through the registry. */
class ClosedTicket implements BreakerTicket {
  readonly allowed = true
  readonly probe = false

  constructor(
    private readonly registry: CircuitBreakers,
    readonly target: Breaker,
    readonly account: Breaker,
  ) {}

  success(now: number): void {
    this.registry.onSuccess(this.target, this.account, null, now)
  }

  failure(now: number, connection = false): void {
    this.registry.onFailure(this.target, this.account, null, connection, now)
  }

  release(): void {}
}

/** The ticket of a half-open probe: holds one probe slot of `probed` until settled. */
class ProbeTicket implements BreakerTicket {
  readonly allowed = true
  readonly probe = true
  private settled = false

  constructor(
    private readonly registry: CircuitBreakers,
    readonly target: Breaker,
    readonly account: Breaker,
    readonly probed: Breaker,
  ) {}

  success(now: number): void {
    if (this.settle()) this.registry.onSuccess(this.target, this.account, this.probed, now)
  }

  failure(now: number, connection = false): void {
    if (this.settle()) this.registry.onFailure(this.target, this.account, this.probed, connection, now)
  }

  release(): void {
    if (this.settle()) this.registry.freeProbe(this.probed)
  }

  private settle(): boolean {
    if (this.settled) return false
    this.settled = true
    return true
  }
}

/** A breaker that opened or closed here, for other replicas to apply (see `shared-state/`). */
export interface BreakerChange {
  kind: 'breaker'
  account: string
  model: string | null
  provider: string
  state: 'open' | 'closed'
  openedAt: number
  reason: string
}

/** The breakers of one gateway. */
export class CircuitBreakers implements BreakerRegistry {
  /** Told when a breaker opens or closes here (half-open is each replica's own probing, not shared). */
  onChange: ((change: BreakerChange) => void) | undefined
  private applying = false
  /** account → model → breaker (nested, so that a lookup builds no key string). */
  private readonly targets = new Map<string, Map<string, Breaker>>()
  private readonly accounts = new Map<string, Breaker>()
  private readonly tickets = new Map<Breaker, ClosedTicket>()

  constructor(
    private readonly options: BreakerOptions,
    private readonly bus: AuditEventBus,
  ) {}

  check(account: string, model: string, provider: string, now: number): BreakerCheck {
    const accountBreaker = this.accountBreaker(account, provider)
    const target = this.targetBreaker(account, model, provider)
    // Fast path: both closed (the common case) shares one ticket per target, no allocation.
    if (accountBreaker.state === 'closed' && target.state === 'closed') return this.closedTicket(target, accountBreaker)

    const accountGate = this.gate(accountBreaker, now)
    if (accountGate !== null) return accountGate
    const targetGate = this.gate(target, now)
    if (targetGate !== null) return targetGate
    // At most one of them is half-open with a free slot here; its probe is this attempt.
    const probed = accountBreaker.state === 'half_open' ? accountBreaker : target.state === 'half_open' ? target : null
    if (probed === null) return this.closedTicket(target, accountBreaker)
    probed.probes++
    return new ProbeTicket(this, target, accountBreaker, probed)
  }

  /** Every breaker that is not closed or is counting failures (for `/health`). */
  states(): BreakerStatus[] {
    const out: BreakerStatus[] = []
    const all = [...this.accounts.values()]
    for (const models of this.targets.values()) all.push(...models.values())
    for (const breaker of all) {
      if (breaker.state === 'closed' && breaker.failures === 0) continue
      out.push({
        account: breaker.account,
        model: breaker.model,
        provider: breaker.provider,
        state: breaker.state,
        failures: breaker.failures,
        probes: breaker.probes,
        until: breaker.state === 'open' ? breaker.openedAt + this.options.recoveryMs : null,
      })
    }
    return out
  }

  /** A denial while `breaker` blocks, else null. Moves open → half-open once the recovery time has passed. */
  private gate(breaker: Breaker, now: number): BreakerCheck | null {
    if (breaker.state === 'closed') return null
    if (breaker.state === 'open') {
      const until = breaker.openedAt + this.options.recoveryMs
      if (now < until) return denial(until, this.describe(breaker, 'open'))
      this.transition(breaker, 'half_open', `recovery time of ${this.options.recoveryMs / 1000}s passed; probing`)
    }
    if (breaker.probes >= this.options.halfOpenMaxProbes) return denial(null, this.describe(breaker, 'half_open'))
    return null
  }

  /** A success: closes whatever the probe was probing; resets the consecutive failure counts. */
  onSuccess(target: Breaker, account: Breaker, probed: Breaker | null, _now: number): void {
    if (probed !== null) {
      probed.probes = Math.max(0, probed.probes - 1)
      if (probed.state === 'half_open') this.transition(probed, 'closed', 'probe succeeded')
    }
    // An answer from a breaker that is open or probing by another ticket is not this attempt's to judge.
    if (account.state === 'closed') account.failures = 0
    if (target.state === 'closed') target.failures = 0
  }

  /** A retryable failure; `connection` when the account could not be reached at all. */
  onFailure(target: Breaker, account: Breaker, probed: Breaker | null, connection: boolean, now: number): void {
    if (probed !== null) {
      probed.probes = Math.max(0, probed.probes - 1)
      if (probed === account && !connection) {
        // The probe reached the account, so the account is back; the failure still counts for the target below.
        if (account.state === 'half_open') this.transition(account, 'closed', 'probe reached the account')
      } else if (probed.state === 'half_open') {
        this.open(probed, now, `probe failed (${connection ? 'connection failure' : 'retryable failure'})`)
        if (probed === account) return
      }
    }
    if (connection) {
      if (account.state === 'closed' && ++account.failures >= this.options.failureThreshold) {
        this.open(account, now, `${account.failures} consecutive connection failures`)
      }
      return
    }
    if (account.state === 'closed') account.failures = 0
    if (target.state === 'closed' && ++target.failures >= this.options.failureThreshold) {
      this.open(target, now, `${target.failures} consecutive retryable failures`)
    }
  }

  /**
   * Applies another replica's transition: its open breaker opens this one (from the same moment, so both probe after
   * the same recovery time), its closing closes this one. Published as `circuit_state` with a reason that says so.
   */
  apply(change: BreakerChange): void {
    const breaker =
      change.model === null
        ? this.accountBreaker(change.account, change.provider)
        : this.targetBreaker(change.account, change.model, change.provider)
    this.applying = true
    try {
      if (change.state === 'open') {
        if (breaker.state === 'open' && breaker.openedAt >= change.openedAt) return
        breaker.openedAt = change.openedAt
        breaker.failures = 0
        if (breaker.state === 'open') return
        this.transition(breaker, 'open', `${change.reason} (on another replica)`)
      } else if (breaker.state !== 'closed') {
        this.transition(breaker, 'closed', `${change.reason} (on another replica)`)
      }
    } finally {
      this.applying = false
    }
  }

  /** Breakers of this gateway that are open now, as changes (published again when a shared store comes back). */
  openChanges(): BreakerChange[] {
    const out: BreakerChange[] = []
    const all = [...this.accounts.values()]
    for (const models of this.targets.values()) all.push(...models.values())
    for (const b of all) {
      if (b.state === 'open')
        out.push({
          kind: 'breaker',
          account: b.account,
          model: b.model,
          provider: b.provider,
          state: 'open',
          openedAt: b.openedAt,
          reason: 'open',
        })
    }
    return out
  }

  freeProbe(probed: Breaker): void {
    probed.probes = Math.max(0, probed.probes - 1)
  }

  private open(breaker: Breaker, now: number, reason: string): void {
    breaker.openedAt = now
    breaker.failures = 0
    this.transition(breaker, 'open', reason)
  }

  private transition(breaker: Breaker, state: BreakerState, reason: string): void {
    const previous = breaker.state
    if (previous === state) return
    breaker.state = state
    if (state !== 'half_open') breaker.probes = 0
    if (state === 'closed') breaker.failures = 0
    if (state !== 'half_open' && !this.applying) {
      this.onChange?.({
        kind: 'breaker',
        account: breaker.account,
        model: breaker.model,
        provider: breaker.provider,
        state,
        openedAt: breaker.openedAt,
        reason,
      })
    }
    this.bus.publish({
      ts: new Date().toISOString(),
      event: 'circuit_state',
      account: breaker.account,
      model: breaker.model,
      provider: breaker.provider,
      state,
      previous,
      reason,
    })
  }

  private describe(breaker: Breaker, state: 'open' | 'half_open'): string {
    const what = breaker.model === null ? `account ${breaker.account} unreachable` : 'circuit breaker'
    return state === 'open' ? `${what}: open` : `${what}: half-open, probe in flight`
  }

  private closedTicket(target: Breaker, account: Breaker): ClosedTicket {
    let ticket = this.tickets.get(target)
    if (ticket === undefined) {
      ticket = new ClosedTicket(this, target, account)
      this.tickets.set(target, ticket)
    }
    return ticket
  }

  private targetBreaker(account: string, model: string, provider: string): Breaker {
    let models = this.targets.get(account)
    if (models === undefined) {
      models = new Map()
      this.targets.set(account, models)
    }
    let breaker = models.get(model)
    if (breaker === undefined) {
      breaker = new Breaker(account, model, provider)
      models.set(model, breaker)
    }
    return breaker
  }

  private accountBreaker(account: string, provider: string): Breaker {
    let breaker = this.accounts.get(account)
    if (breaker === undefined) {
      breaker = new Breaker(account, null, provider)
      this.accounts.set(account, breaker)
    }
    return breaker
  }
}

function denial(until: number | null, reason: string): BreakerCheck {
  return {allowed: false, until, reason}
}
