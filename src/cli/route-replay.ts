/**
 * The service behind `router route replay`: reads an audit log, routes its recorded decisions again on the config of
 * `--config` (resolved as `route explain` resolves it) with the gateway's own session store and cache lifetimes, and
 * prints what changed and what it would cost. No upstream call is made, and no prompt is needed.
 */
import {createReadStream} from 'node:fs'
import {access} from 'node:fs/promises'
import {createInterface} from 'node:readline'

import {parseAuditEventJson} from '../core/audit/parse-event.js'
import {UsageError} from '../core/errors.js'
import {replayTurns, TurnCollector} from '../core/replay/replay.js'
import type {ReplayIssue, ReplayReport} from '../core/replay/schema.js'
import {promptCacheTtlMs} from '../core/catalog/index.js'
import {MemorySessionStore} from '../gateway/sessions.js'
import {formatCount, formatPercent, formatUsd} from '../tui/format.js'
import {loadExplainTarget} from './route-explain.js'

/** Replays the audit log at `logPath` on the config of `configFlag` (see `loadExplainTarget`). */
export async function replayAuditLog(
  logPath: string,
  configFlag: string | undefined,
): Promise<{report: ReplayReport; notes: string[]}> {
  const target = await loadExplainTarget(configFlag)
  const {collector, malformed, events} = await readLog(logPath)
  if (events === 0 && malformed > 0) {
    throw new UsageError(`${logPath} is not an audit log: none of its ${malformed} lines is an audit event`, {
      hint: 'pass the file the gateway writes its audit events to (ROUTER_AUDIT_LOG_PATH)',
    })
  }
  const settings = target.config.session
  const report = replayTurns(collector.recorded(), {
    config: target.config,
    profile: target.profile,
    ignoreAccounts: target.ignoreAccounts,
    cacheTtlMs: promptCacheTtlMs,
    sessions: new MemorySessionStore(() => ({maxEntries: settings.max_sessions, ttlMs: settings.ttl_seconds * 1000})),
    log: logPath,
    configPath: target.path,
    malformedLines: malformed,
  })
  return {report, notes: target.notes}
}

/** Reads the log line by line (it may be large); lines that are not events are counted, events of unknown kinds skipped. */
async function readLog(path: string): Promise<{collector: TurnCollector; malformed: number; events: number}> {
  try {
    await access(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read it (${(error as Error).message})`,
      {
        hint: 'pass an audit log: the file the gateway writes its events to (ROUTER_AUDIT_LOG_PATH)',
      },
    )
  }
  const collector = new TurnCollector()
  let malformed = 0
  let events = 0
  const lines = createInterface({input: createReadStream(path, {encoding: 'utf8'}), crlfDelay: Infinity})
  for await (const line of lines) {
    const parsed = parseAuditEventJson(line)
    if (parsed.kind === 'malformed') malformed++
    else if (parsed.kind === 'event') {
      events++
      collector.add(parsed.event)
    }
  }
  return {collector, malformed, events}
}

/** What each issue means, in the text report. */
const ISSUE_TEXT: Record<ReplayIssue, string> = {
  no_requirements: 'skipped: logged before route_decision carried requirements',
  refused: 'not replayed: the config refuses them',
  model_not_in_config: 'the client named a model the config does not have: selection decided',
  no_usage: 'routed, not priced: no token counts in the log',
  unpriced: 'routed, not priced: a price is unknown',
}

/** Examples of request ids shown per issue. */
const EXAMPLES = 3

/** The report as text: the route changes, the cost per model and in total, the cache, sessions, and the issues. */
export function formatReplay(report: ReplayReport, notes: readonly string[] = []): string {
  const lines = notes.map((note) => `Note: ${note}`)
  const on =
    report.config === null
      ? `the built-in \`${report.profile}\` profile`
      : `${report.config} (profile ${report.profile})`
  lines.push(
    `Replayed ${formatCount(report.replayed)} of ${formatCount(report.decisions)} decisions of ${report.log} on ${on}.`,
  )
  if (report.malformed_lines > 0)
    lines.push(
      `${plural(report.malformed_lines, 'line')} of the log ${report.malformed_lines === 1 ? 'was not an audit event' : 'were not audit events'}: skipped.`,
    )

  lines.push('', 'Route changes (the model that answered → the model chosen now)')
  const changeRows = report.changes.map((change) => [`${change.from} → ${change.to}`, formatCount(change.turns)])
  changeRows.push(['unchanged', formatCount(report.unchanged)])
  lines.push(...table(changeRows, ['left', 'right']))

  lines.push(
    '',
    `Cost of the ${formatCount(report.priced)} priced turns (their recorded token counts on each model's prices)`,
  )
  const costRows = [
    ['model', 'turns', 'recorded', 'turns', 'replayed', 'difference'],
    ...report.models.map((m) => [
      m.model,
      formatCount(m.recorded_turns),
      formatUsd(m.recorded_cost_usd),
      formatCount(m.replayed_turns),
      formatUsd(m.replayed_cost_usd),
      signedUsd(m.difference_usd),
    ]),
    [
      'total',
      formatCount(report.priced),
      formatUsd(report.total.recorded_cost_usd),
      formatCount(report.priced),
      formatUsd(report.total.replayed_cost_usd),
      signedUsd(report.total.difference_usd) +
        (report.total.difference_ratio === null ? '' : ` (${signedPercent(report.total.difference_ratio)})`),
    ],
  ]
  lines.push(...table(costRows, ['left', 'right', 'right', 'right', 'right', 'right']))

  const {cache} = report
  if (cache.recorded_cached_tokens !== null && cache.replayed_cached_tokens !== null && cache.prompt_tokens > 0) {
    const share = (n: number) => formatPercent(n / cache.prompt_tokens)
    lines.push(
      '',
      `Cache: of ${formatCount(cache.prompt_tokens)} prompt tokens, ${formatCount(cache.recorded_cached_tokens)} were read from a cache (${share(cache.recorded_cached_tokens)}); in the replay ${formatCount(cache.replayed_cached_tokens)} (${share(cache.replayed_cached_tokens)}): a session that moves to another model starts uncached there.`,
    )
  }

  const {sessions} = report
  if (sessions.turns > 0) {
    lines.push(
      '',
      `Sessions: ${plural(sessions.sessions, 'session')}, ${plural(sessions.turns, 'turn')}`,
      `  affinity in the log     ${affinityText(sessions.recorded_affinity)}`,
      `  affinity in the replay  ${affinityText(sessions.replayed_affinity)}`,
      `  model switches          ${formatCount(sessions.recorded_switches)} in the log, ${formatCount(sessions.replayed_switches)} in the replay`,
    )
  }

  const kinds = Object.keys(report.issue_counts) as ReplayIssue[]
  if (kinds.length > 0) {
    lines.push('', 'Turns not replayed or not priced')
    for (const kind of kinds) {
      const turns = report.issues.filter((issue) => issue.issue === kind)
      lines.push(`  ${formatCount(turns.length)} ${ISSUE_TEXT[kind]}`)
      for (const issue of turns.slice(0, EXAMPLES)) lines.push(`    ${issue.request_id}  ${issue.detail}`)
      if (turns.length > EXAMPLES)
        lines.push(`    and ${formatCount(turns.length - EXAMPLES)} more (--json lists them all)`)
    }
  }
  return lines.join('\n')
}

function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`
}

function affinityText(counts: ReplayReport['sessions']['replayed_affinity']): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  return entries.length === 0 ? '–' : entries.map(([kind, n]) => `${kind} ${formatCount(n)}`).join(' · ')
}

function signedUsd(usd: number): string {
  if (usd === 0) return formatUsd(0)
  return `${usd > 0 ? '+' : '−'}${formatUsd(Math.abs(usd))}`
}

/** `+12.5%`, `−40%`, `+136%`: a change, which may exceed 100 %. */
function signedPercent(ratio: number): string {
  const percent = Math.abs(ratio) * 100
  return `${ratio > 0 ? '+' : ratio < 0 ? '−' : ''}${percent >= 100 ? Math.round(percent) : Number(percent.toFixed(1))}%`
}

/** Rows as aligned columns, indented by two spaces. */
function table(rows: string[][], align: Array<'left' | 'right'>): string[] {
  const widths = align.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)))
  return rows.map(
    (row) =>
      '  ' +
      row
        .map((cell, column) =>
          align[column] === 'right' ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
        )
        .join('  ')
        .trimEnd(),
  )
}
