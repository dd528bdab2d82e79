/**
 * `route explain --log FILE` / `--url URL`: the cool-downs the gateway holds after 429s, as its live metrics carry them
 * (the same `LiveMetrics` the dashboard and `metrics tail` build from the audit log, or the snapshot a running gateway
 * serves at `GET /v1/router/live-metrics`), laid over a dry-run decision: which targets of its chain are cooling down,
 * until when, and where the gateway would start now. Read only when asked: an explanation without these flags is a
 * pure dry run on the config.
 */
import {LiveMetrics} from '../core/metrics/live-metrics.js'
import {LiveMetricsSnapshotSchema, type CooldownEntry, type LiveMetricsSnapshot} from '../core/metrics/schema.js'
import {accountsForModel} from '../core/routing/accounts.js'
import type {RoutingDecision} from '../core/routing/schema.js'
import {RouterError, UsageError} from '../core/errors.js'
import {FileAuditSource} from '../tui/sources/file-source.js'
import {eventsUrl} from '../tui/sources/sse-source.js'
import type {ExplainTarget} from './route-explain.js'

/** Where the cool-downs come from: the gateway's audit log, or the gateway itself. */
export type CooldownSource = {log: string} | {url: string; apiKey?: string}

/** A target of the decision's chain that is cooling down, as `--json` prints it (documented in docs/routing.md §7). */
export interface ChainCooldown {
  model: string
  account: string
  provider: string
  /** `model`: this model on this account (a rate limit); `account`: the whole account (quota or usage limit). */
  scope: CooldownEntry['scope']
  /** In words, from the scope; for an account, the provider's code when the log has it (`proxy_rate_limited.reason`). */
  reason: string
  /** When the 429 came, and when the target may be tried again (an account: when its probe request may go). ISO. */
  since: string
  until: string
}

/** The cool-downs laid over one decision: the additive `--json` fields. */
export interface ChainCooling {
  /** Cooling targets of the chain, in the order the gateway would try them. */
  cooldowns: ChainCooldown[]
  /** The first target of the chain not cooling down; null when every target is (the gateway would answer 429). */
  gateway_would_start_at: {model: string; account: string | null} | null
}

const REASONS: Record<CooldownEntry['scope'], string> = {
  model: 'rate limit on this model',
  account: 'the whole account: quota or usage limit, then one probe request',
}

/**
 * Where `route explain`'s flags say to read cool-downs from: `--url` (a running gateway), else `--log`; none without
 * them. `--log` also names the log of `--session`, so with both flags it serves the session only.
 */
export function cooldownSourceOf(flags: {
  log?: string
  url?: string
  apiKey?: string
  session?: string
  input?: string
}): CooldownSource | undefined {
  const source: CooldownSource | undefined =
    flags.url !== undefined
      ? {url: flags.url, ...(flags.apiKey ? {apiKey: flags.apiKey} : {})}
      : flags.log === undefined
        ? undefined
        : {log: flags.log}
  if (source === undefined) return undefined
  if (flags.input !== undefined) {
    throw new UsageError(
      `${'url' in source ? '--url' : '--log'} shows the cool-downs for one request, not with --input`,
      {
        hint: 'explain one request (a prompt or --file) with --log or --url',
      },
    )
  }
  if (flags.url !== undefined && flags.log !== undefined && flags.session === undefined) {
    throw new UsageError('give one of --log and --url', {
      hint: 'the cool-downs come from the audit log (--log) or from the running gateway (--url)',
    })
  }
  return source
}

/** The cool-downs on `decision`'s chain from `source`, read now: the `--json` fields and the report's lines. */
export async function explainCooling(
  source: CooldownSource,
  decision: RoutingDecision,
  target: ExplainTarget,
  preferredAccount?: string,
): Promise<{json: ChainCooling; lines: string[]}> {
  const snapshot = await readLiveSnapshot(source)
  const now = Date.now()
  const json = chainCooling(decision, target, snapshot, now, preferredAccount)
  return {json, lines: formatChainCooling(json, source, now)}
}

/** The live metrics snapshot of `source`, taken now. */
async function readLiveSnapshot(source: CooldownSource): Promise<LiveMetricsSnapshot> {
  return 'log' in source ? snapshotFromLog(source.log) : snapshotFromGateway(source.url, source.apiKey)
}

/** Reads the whole audit log into live metrics, as `metrics tail` would, and snapshots them. */
async function snapshotFromLog(path: string): Promise<LiveMetricsSnapshot> {
  const source = new FileAuditSource({path, since: 'start', follow: false})
  const metrics = new LiveMetrics()
  source.subscribe((event) => metrics.observe(event))
  try {
    await source.start()
  } catch (error) {
    if (error instanceof RouterError && error.code === 'audit_log_missing') {
      throw new UsageError(`--log ${path}: no such file`, {
        hint: "give the gateway's audit log (its ROUTER_AUDIT_LOG_PATH, by default logs/router_decisions.jsonl)",
      })
    }
    throw error
  }
  return metrics.snapshot()
}

/**
 * `GET /v1/router/live-metrics` of a running gateway, with the ingress key as a Bearer token as `metrics tail --url`
 * sends it. `url` is the gateway's base URL, or the endpoint's own; `fleet` asks for every replica's, merged.
 */
export async function snapshotFromGateway(url: string, apiKey?: string, fleet = false): Promise<LiveMetricsSnapshot> {
  const endpoint = liveMetricsUrl(url) + (fleet ? '?scope=fleet' : '')
  const headers: Record<string, string> = {accept: 'application/json'}
  if (apiKey) headers.authorization = `Bearer ${apiKey}`
  let response: Response
  try {
    response = await fetch(endpoint, {headers, signal: AbortSignal.timeout(10_000)})
  } catch (error) {
    throw new RouterError('gateway_unreachable', `Cannot reach the gateway at ${endpoint} (${describe(error)}).`, {
      hint: 'Check that `router serve` runs there, or read its audit log with --log instead.',
      exitCode: 2,
    })
  }
  const text = await response.text()
  if (response.status === 401 || response.status === 403) {
    throw new RouterError('gateway_auth', `The gateway at ${endpoint} refused the request (${response.status}).`, {
      hint: apiKey
        ? "Check the key given with --api-key or ROUTER_API_KEY: it must be one of the gateway's INGRESS_API_KEYS."
        : 'The gateway requires an ingress key: pass --api-key or set ROUTER_API_KEY.',
      exitCode: 2,
    })
  }
  const parsed = response.ok ? LiveMetricsSnapshotSchema.safeParse(safeJson(text)) : undefined
  if (parsed?.success !== true) {
    const said = errorMessage(text)
    throw new RouterError(
      'gateway_no_metrics',
      `${endpoint} answered ${response.status}, not a live metrics snapshot${said ? ` (${said.replace(/\.$/, '')})` : ''}.`,
      {
        hint: 'Give the address of an Open-LLM Router gateway (`router serve`) with live metrics on, e.g. --url http://127.0.0.1:8000, or read its audit log with --log.',
        exitCode: 2,
      },
    )
  }
  return parsed.data
}

/** `http://host:8000` → `http://host:8000/v1/router/live-metrics`; the endpoint's own URL is kept. */
function liveMetricsUrl(base: string): string {
  // The events URL's rules (and its errors for what is not an http URL), on the sibling endpoint.
  const url = new URL(eventsUrl(base.trim().replace(/\/v1\/router\/live-metrics\/*$/, '')))
  url.pathname = url.pathname.replace(/\/events$/, '/live-metrics')
  return url.toString()
}

/**
 * The cool-downs active at `now` on the targets of `decision`'s chain, in the order the gateway tries them (each model's
 * accounts in config order, the session's account first), and the first target that is free. A model the config gives
 * no account (the built-in profile standing in) is served by the accounts the snapshot has seen serving it.
 */
function chainCooling(
  decision: RoutingDecision,
  target: ExplainTarget,
  snapshot: LiveMetricsSnapshot,
  now: number,
  preferredAccount: string | undefined,
): ChainCooling {
  const active = snapshot.cooldowns.filter((c) => Date.parse(c.until) > now)
  const cooldowns: ChainCooldown[] = []
  let start: ChainCooling['gateway_would_start_at'] = null
  for (const model of [decision.selected_model, ...decision.fallback_models]) {
    const accounts = orderedAccounts(model, target, snapshot, preferredAccount)
    if (accounts.length === 0) start ??= {model, account: null}
    for (const account of accounts) {
      const cooling = latest(active.filter((c) => c.account === account && (c.model === null || c.model === model)))
      if (cooling === undefined) {
        start ??= {model, account}
        continue
      }
      cooldowns.push({
        model,
        account,
        provider: cooling.provider,
        scope: cooling.scope,
        reason:
          cooling.scope === 'account' && cooling.reason !== undefined
            ? `the whole account (${cooling.reason}), then one probe request`
            : REASONS[cooling.scope],
        since: cooling.since,
        until: cooling.until,
      })
    }
  }
  return {cooldowns, gateway_would_start_at: start}
}

/**
 * The `Cooling` report: one line per cooling target, then where the gateway would start (on the same line when there
 * is one), or that nothing in the chain is cooling down.
 */
function formatChainCooling(cooling: ChainCooling, source: CooldownSource, now: number): string[] {
  if (cooling.cooldowns.length === 0) return [`none in this chain (${'log' in source ? source.log : source.url})`]
  const lines = cooling.cooldowns.map((c) => {
    const until = Date.parse(c.until)
    return `${c.model} via ${c.account} until ${localTime(until, now)} (in ${duration(until - now)}, ${c.reason})`
  })
  const start = cooling.gateway_would_start_at
  let next: string
  if (start !== null) {
    next = `→ the gateway would start at ${start.model}${start.account === null ? '' : ` via ${start.account}`}`
  } else {
    const soonest = Math.min(...cooling.cooldowns.map((c) => Date.parse(c.until)))
    next = `→ every target is cooling down: the gateway would answer 429 until ${localTime(soonest, now)}`
  }
  if (lines.length === 1) return [`${lines[0]} ${next}`]
  return [...lines, next]
}

function orderedAccounts(
  model: string,
  target: ExplainTarget,
  snapshot: LiveMetricsSnapshot,
  preferred: string | undefined,
): string[] {
  let accounts = accountsForModel(target.config, model).map((a) => a.name)
  if (accounts.length === 0 && target.ignoreAccounts)
    accounts = [...new Set(snapshot.targets.filter((t) => t.model === model).map((t) => t.account))]
  const first = preferred === undefined ? -1 : accounts.indexOf(preferred)
  return first <= 0 ? accounts : [accounts[first], ...accounts.filter((_, i) => i !== first)]
}

/** Of a target's own cool-down and its account's, the one that ends last (what blocks it for longest). */
function latest(entries: CooldownEntry[]): CooldownEntry | undefined {
  return entries.reduce<CooldownEntry | undefined>(
    (best, c) => (best === undefined || Date.parse(c.until) > Date.parse(best.until) ? c : best),
    undefined,
  )
}

/** `11:32:10` in local time, with the date in front when it is not today's. */
function localTime(ms: number, now: number): string {
  const date = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  return date.toDateString() === new Date(now).toDateString()
    ? time
    : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`
}

/** `42 s`, `8 min`, `3 h 5 min`: how long until a moment, never "0 s" for one still ahead. */
function duration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000))
  if (seconds < 90) return `${seconds} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 90) return `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The `error.message` of an OpenAI-shaped error body, if the text is one. */
function errorMessage(text: string): string | undefined {
  const message = (safeJson(text) as {error?: {message?: unknown}} | undefined)?.error?.message
  return typeof message === 'string' ? message : undefined
}

/** A short reason for a failed connection, without secrets (the key is only ever in a header). */
function describe(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}})?.cause
  if (cause?.code) return cause.code
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer within 10 s'
  if (error instanceof Error) return error.message === 'fetch failed' && cause?.message ? cause.message : error.message
  return String(error)
}
