/**
 * Tokens the upstreams reported and their estimated cost, summed from `proxy_response` events (`usage`, `cost_usd`,
 * `cache_savings_usd`) for the live metrics and the whole-log summary. Costs are summed in whole nano-dollars
 * (`cost_usd` is rounded to 1e-9), so that the total is exact instead of drifting with each addition.
 */
import type {AuditEvent, ProxyResponseEvent} from '../audit/schema.js'
import type {KeySpend, UsageTotals} from './schema.js'

/** Nano-dollars per dollar: sums of `cost_usd` are kept in these whole units. */
export const NANO_PER_USD = 1e9

/** `cost_usd` in whole nano-dollars (it is rounded to 1e-9 already; this removes the float's last-digit noise). */
export function nanoUsd(usd: number): number {
  return Math.round(usd * NANO_PER_USD)
}

export class UsageAccumulator {
  private prompt = 0
  private completion = 0
  private cached = 0
  private written = 0
  /** Prompt tokens of the answers that reported a cache count: the hit ratio's denominator. */
  private promptWithCacheCounts = 0
  private nanos = 0
  private savedNanos = 0
  private withUsage = 0
  private withCost = 0
  private withoutCost = 0

  add(event: ProxyResponseEvent): void {
    const usage = event.usage
    if (usage !== null) {
      this.withUsage++
      this.prompt += usage.prompt_tokens ?? 0
      this.completion += usage.completion_tokens ?? 0
      this.cached += usage.cached_tokens ?? 0
      this.written += usage.cache_write_tokens ?? 0
      if (usage.cached_tokens != null || usage.cache_write_tokens != null)
        this.promptWithCacheCounts += usage.prompt_tokens ?? 0
    }
    if (typeof event.cost_usd === 'number') {
      this.nanos += nanoUsd(event.cost_usd)
      this.withCost++
    } else if (event.status >= 200 && event.status < 300) this.withoutCost++
    if (typeof event.cache_savings_usd === 'number') this.savedNanos += nanoUsd(event.cache_savings_usd)
  }

  /** Cached ÷ prompt tokens of the answers that reported a cache count (0–1, rounded to 4 places); null before one. */
  cacheHitRatio(): number | null {
    return this.promptWithCacheCounts === 0
      ? null
      : Math.min(1, Math.round((this.cached / this.promptWithCacheCounts) * 10_000) / 10_000)
  }

  result(): UsageTotals {
    return {
      prompt_tokens: this.prompt,
      completion_tokens: this.completion,
      cached_tokens: this.cached,
      cache_write_tokens: this.written,
      cache_hit_ratio: this.cacheHitRatio(),
      cost_usd: this.nanos / NANO_PER_USD,
      cache_savings_usd: this.savedNanos / NANO_PER_USD,
      answers_with_usage: this.withUsage,
      answers_with_cost: this.withCost,
      answers_without_cost: this.withoutCost,
    }
  }
}

/** Error codes of a request refused by its key's limits (`gateway/key-limits.ts`). */
const KEY_REFUSALS = /^(budget_usd_day|budget_usd_month|rpm|tpm|max_concurrency)_exceeded$|^model_not_allowed$/

/** Requests and spend per ingress principal, from `proxy_response` and `proxy_terminal` events that carry one. */
export class SpendByKey {
  private readonly keys = new Map<string, {requests: number; refused: number; usage: UsageAccumulator}>()

  /** At most `maxKeys` principals are kept (the first seen); later ones are not counted. */
  constructor(private readonly maxKeys = 1000) {}

  observe(event: AuditEvent): void {
    if (event.event !== 'proxy_response' && event.event !== 'proxy_terminal') return
    const principal = event.principal
    if (principal === undefined) return
    let key = this.keys.get(principal)
    if (key === undefined) {
      if (this.keys.size >= this.maxKeys) return
      key = {requests: 0, refused: 0, usage: new UsageAccumulator()}
      this.keys.set(principal, key)
    }
    if (event.event === 'proxy_response') {
      key.usage.add(event)
      return
    }
    key.requests++
    if (event.outcome === 'rejected' && event.error_code !== null && KEY_REFUSALS.test(event.error_code)) key.refused++
  }

  /** Most spent first, then by name. */
  result(): KeySpend[] {
    return [...this.keys]
      .map(([principal, key]) => ({principal, requests: key.requests, refused: key.refused, usage: key.usage.result()}))
      .sort(
        (a, b) =>
          b.usage.cost_usd - a.usage.cost_usd || (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0),
      )
  }
}
