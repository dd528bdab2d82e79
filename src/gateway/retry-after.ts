/**
 * Retry-After handling for 429 answers: per-account cool-downs that the proxy consults before each attempt.
 * Retry-After is read in seconds or as an HTTP date (RFC 9110 §10.2.3), and OpenAI's `retry-after-ms` is preferred
 * when present because it is more precise.
 */

/** Cool-down in milliseconds from a response's headers, or undefined when none is usable. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now: number): number | undefined {
  const ms = first(headers['retry-after-ms'])
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms)
  const value = first(headers['retry-after'])?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Accounts that answered 429, and until when they are skipped. */
export class CooldownTracker {
  private readonly until = new Map<string, number>()

  /** Starts (or extends) a cool-down; returns its end time (epoch ms). */
  set(account: string, durationMs: number, now: number): number {
    const end = now + durationMs
    const current = this.until.get(account) ?? 0
    const next = Math.max(current, end)
    this.until.set(account, next)
    return next
  }

  /** End of the account's cool-down (epoch ms) if it is cooling down at `now`, else undefined. */
  activeUntil(account: string, now: number): number | undefined {
    const end = this.until.get(account)
    if (end === undefined) return undefined
    if (end <= now) {
      this.until.delete(account)
      return undefined
    }
    return end
  }

  /** Every active cool-down, for `/health`. */
  active(now: number): Array<{account: string; until: number}> {
    const out: Array<{account: string; until: number}> = []
    for (const [account, end] of this.until) if (end > now) out.push({account, until: end})
    return out
  }
}
