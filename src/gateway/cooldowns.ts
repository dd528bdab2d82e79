/**
 * Cool-downs after a 429. Providers limit requests and tokens per model (OpenAI, Anthropic and Gemini all count per
 * model), so a 429 cools down the (account, model) pair that got it and nothing else. Only when the provider says that
 * the account itself is out — OpenAI's `insufficient_quota`, a ChatGPT plan's usage limit, a daily quota that is not
 * per model — does the whole account cool down, until the time the provider gave; then one probe request goes through,
 * and the account is open again when it succeeds (another 429 starts a new cool-down).
 *
 * How long: `retry-after-ms` / `Retry-After` (see retry-after.ts), else the reset time in the body (ChatGPT's
 * `resets_in_seconds` / `resets_at`, Gemini's `RetryInfo.retryDelay`), else the default. A model's cool-down is capped
 * at `rate_limit_max_cooldown_seconds`; an account's follows the provider's reset time up to a day, because probing
 * an exhausted plan every ten minutes only collects more 429s.
 */
import {isObject} from '../core/is-object.js'
import {retryAfterMs} from './retry-after.js'

export type CooldownScope = 'model' | 'account'

/** One active cool-down, as `/health` and the audit show it. */
export interface Cooldown {
  account: string
  /** Null for an account-wide cool-down. */
  model: string | null
  scope: CooldownScope
  /** Epoch ms when it ends (for an account: when its probe may go). */
  until: number
  /** Why, in words: `rate limited (Retry-After)`, `insufficient_quota`, … */
  reason: string
  /** Account-wide only: the probe request is out and its answer decides. */
  probing: boolean
}

/** What blocks a target now. */
export interface CooldownBlock {
  scope: CooldownScope
  /** When the target may be tried again; null while an account's probe request is out. */
  until: number | null
  reason: string
}

/** The cool-down a 429 asks for. */
export interface CooldownRequest {
  scope: CooldownScope
  durationMs: number
  reason: string
}

const DAY_MS = 24 * 60 * 60 * 1000
/** A probe that never reports back (it cannot, but a bug must not lock an account out) frees its slot after this. */
const PROBE_TIMEOUT_MS = 5 * 60 * 1000

/**
 * Signs in a 429's error body that the whole account is out, not one model: the provider's error `type` or `code`,
 * or for Gemini a quota id that counts per day across models.
 */
const ACCOUNT_WIDE_CODES = new Set([
  // OpenAI: the organisation's credit or plan quota is used up (https://platform.openai.com/docs/guides/error-codes).
  'insufficient_quota',
  // ChatGPT backend (Codex): the plan's usage limit, with `resets_in_seconds` / `resets_at`.
  'usage_limit_reached',
  'usage_not_included',
])

interface Entry {
  account: string
  model: string | null
  until: number
  reason: string
  /** Account-wide: epoch ms when the probe slot was taken, or 0 when free. */
  probeAt: number
}

/** A change of the tracker that other replicas should apply (see `shared-state/`). */
export type CooldownChange =
  | {kind: 'cooldown'; account: string; model: string | null; until: number; reason: string}
  | {kind: 'cooldown_clear'; account: string}

/** Active cool-downs by (account, model) and by account. */
export class CooldownTracker {
  private readonly entries = new Map<string, Entry>()
  /** Told of every change made here (not of those applied from other replicas). */
  onChange: ((change: CooldownChange) => void) | undefined

  /**
   * Starts (or extends) a cool-down; returns its end (epoch ms). `model` null cools the whole account.
   */
  set(account: string, model: string | null, durationMs: number, now: number, reason: string): number {
    const key = keyOf(account, model)
    const end = now + durationMs
    const current = this.entries.get(key)
    const until = current === undefined ? end : Math.max(current.until, end)
    this.entries.set(key, {account, model, until, reason, probeAt: 0})
    this.onChange?.({kind: 'cooldown', account, model, until, reason})
    return until
  }

  /**
   * Applies a change another replica made: its cool-down (extending, never shortening, one here), or the end of an
   * account-wide one whose probe it got an answer to.
   */
  apply(change: CooldownChange, now: number): void {
    if (change.kind === 'cooldown_clear') {
      this.entries.delete(change.account)
      return
    }
    if (change.until <= now) return
    const key = keyOf(change.account, change.model)
    const current = this.entries.get(key)
    if (current !== undefined && current.until >= change.until) return
    this.entries.set(key, {
      account: change.account,
      model: change.model,
      until: change.until,
      reason: `${change.reason}, seen by another replica`,
      probeAt: 0,
    })
  }

  /**
   * What keeps (account, model) from being tried at `now`: a block, `'probe'` when the request may go and is the probe
   * of an account-wide cool-down that has ended (report its end with `settle` or `release`), or undefined.
   */
  check(account: string, model: string, now: number): CooldownBlock | 'probe' | undefined {
    if (this.entries.size === 0) return undefined
    const whole = this.entries.get(account)
    if (whole !== undefined && whole.until > now) return {scope: 'account', until: whole.until, reason: whole.reason}
    const key = keyOf(account, model)
    const one = this.entries.get(key)
    if (one !== undefined) {
      if (one.until > now) return {scope: 'model', until: one.until, reason: one.reason}
      this.entries.delete(key)
    }
    if (whole === undefined) return undefined
    if (whole.probeAt !== 0 && now - whole.probeAt < PROBE_TIMEOUT_MS) {
      return {scope: 'account', until: null, reason: `${whole.reason}; waiting for the probe request`}
    }
    whole.probeAt = now
    return 'probe'
  }

  /**
   * The probe of an account-wide cool-down got an answer other than a 429: the account is open again. (A 429 calls
   * `set` instead, which starts the next cool-down.)
   */
  settle(account: string, now: number): void {
    const whole = this.entries.get(account)
    if (whole !== undefined && whole.until <= now) {
      this.entries.delete(account)
      this.onChange?.({kind: 'cooldown_clear', account})
    }
  }

  /** The probe was never answered (not sent, the connection failed, the client left): the next request probes. */
  release(account: string): void {
    const whole = this.entries.get(account)
    if (whole !== undefined) whole.probeAt = 0
  }

  /** Every cool-down that still blocks something (an account waiting for its probe included), for `/health`. */
  active(now: number): Cooldown[] {
    const out: Cooldown[] = []
    for (const [key, entry] of this.entries) {
      const scope: CooldownScope = entry.model === null ? 'account' : 'model'
      if (entry.until <= now && scope === 'model') {
        this.entries.delete(key)
        continue
      }
      out.push({
        account: entry.account,
        model: entry.model,
        scope,
        until: entry.until,
        reason: entry.reason,
        probing: scope === 'account' && entry.until <= now && entry.probeAt !== 0,
      })
    }
    return out
  }

  /** Forgets every cool-down (tests, and an operator's reset). */
  clear(): void {
    this.entries.clear()
  }
}

function keyOf(account: string, model: string | null): string {
  return model === null ? account : `${account}\u0000${model}`
}

/**
 * The cool-down a 429 asks for, from its headers and its error body (the upstream's own text, before translation).
 * `defaultMs` applies when nothing says how long; `maxMs` caps a model's cool-down.
 */
export function cooldownFor(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  now: number,
  defaultMs: number,
  maxMs: number,
): CooldownRequest {
  const error = errorObject(body)
  const code = accountWideCode(error, body)
  const fromHeaders = retryAfterMs(headers, now)
  const fromBody = resetMs(error, now)
  if (code !== null) {
    const wanted = fromBody ?? fromHeaders ?? maxMs
    return {scope: 'account', durationMs: Math.min(Math.max(wanted, 0), DAY_MS), reason: code}
  }
  const wanted = fromHeaders ?? fromBody
  return {
    scope: 'model',
    durationMs: Math.min(wanted ?? defaultMs, maxMs),
    reason: wanted === undefined ? 'rate limited (no Retry-After)' : 'rate limited (Retry-After)',
  }
}

/** The `error` object of an OpenAI-, ChatGPT- or Google-shaped error body (Google wraps it in an array). */
function errorObject(body: string): Record<string, unknown> | undefined {
  if (body.length === 0 || body.length > 64 * 1024) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  if (Array.isArray(parsed)) parsed = parsed[0]
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const error = (parsed as {error?: unknown}).error
  return isObject(error) ? error : undefined
}

function accountWideCode(error: Record<string, unknown> | undefined, body: string): string | null {
  if (error === undefined) return null
  for (const value of [error.code, error.type]) {
    if (typeof value === 'string' && ACCOUNT_WIDE_CODES.has(value)) return value
  }
  // Gemini: RESOURCE_EXHAUSTED with a QuotaFailure whose quota id counts per day, and not per model
  // (https://ai.google.dev/gemini-api/docs/rate-limits): the project's daily quota.
  if (error.status === 'RESOURCE_EXHAUSTED' && /"quotaId"\s*:\s*"[^"]*PerDay(?![^"]*PerModel)[^"]*"/.test(body))
    return 'daily_quota'
  return null
}

/** Milliseconds until the reset time an error body gives, if it gives one. */
function resetMs(error: Record<string, unknown> | undefined, now: number): number | undefined {
  if (error === undefined) return undefined
  const inSeconds = error.resets_in_seconds
  if (typeof inSeconds === 'number' && inSeconds > 0) return inSeconds * 1000
  const at = error.resets_at
  if (typeof at === 'number' && at > 0) return Math.max(0, at * 1000 - now)
  // Google's RetryInfo detail: {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "35s"}.
  const details = error.details
  if (Array.isArray(details)) {
    for (const detail of details) {
      const delay = (detail as {retryDelay?: unknown} | null)?.retryDelay
      const match = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null
      if (match) return Number(match[1]) * 1000
    }
  }
  return undefined
}
