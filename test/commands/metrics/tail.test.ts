import type {ChildProcessWithoutNullStreams} from 'node:child_process'
import {appendFile, mkdtemp, rename, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {LiveMetricsSnapshotSchema, AuditSummarySchema} from '../../../src/core/metrics/schema.js'
import {T0, requestEvents} from '../../helpers/audit-events.js'
import {runCli, startCli} from '../../helpers/run-cli.js'
import {type SseAuditServer, startSseAuditServer} from '../../helpers/sse-audit-server.js'

const FIXTURE = new URL('../../fixtures/audit/sample.jsonl', import.meta.url).pathname
const A = 'openai/gpt-5.2'
const B = 'gemini/gemini-2.5-flash'

let dir: string
const children: ChildProcessWithoutNullStreams[] = []
const servers: SseAuditServer[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-metrics-tail-'))
})
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const server of servers.splice(0)) await server.close()
  await rm(dir, {recursive: true, force: true})
})

const jsonl = (events: object[]) => events.map((e) => JSON.stringify(e) + '\n').join('')

/** `router metrics tail ARGS…` left running; its output accumulates. */
function tail(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = startCli(['metrics', 'tail', ...args], {cwd: dir, env})
  children.push(child)
  const out = {stdout: '', stderr: ''}
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {child, out, exited, lines: () => out.stdout.split('\n').filter(Boolean)}
}

// Each test starts the CLI (Node + oclif start-up): generous limits for a busy machine; normally a few seconds.
vi.setConfig({testTimeout: 60_000})

describe('router metrics tail --once', () => {
  it('prints a human summary of the whole file', async () => {
    const result = await runCli(['metrics', 'tail', '--once', '--file', FIXTURE])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Audit log ${FIXTURE}`)
    expect(result.stdout).toMatch(/^Requests\s+200 finished, 0 unfinished · success 94\.5%/m)
    expect(result.stdout).toMatch(/^Fallbacks\s+23 requests needed more than one attempt, 19 of them succeeded/m)
    expect(result.stdout).toMatch(
      /^model\s+requests\s+share\s+selected\s+attempts\s+failed\s+p50\s+p95\s+tokens\s+cached\s+est\. cost\s+accounts$/m,
    )
    expect(result.stdout).toMatch(/^gemini\/gemini-2\.5-flash\s+60\s+30\.0%/m)
    // The sum of the fixture's proxy_response usage and cost_usd (0.9063… USD).
    expect(result.stdout).toMatch(/^Usage\s+296,715 prompt \+ 77,751 completion tokens · est\. \$0\.906$/m)
    // The fixture predates cache counts: no hit ratio.
    expect(result.stdout).toMatch(/^anthropic\/claude-opus-4\.5\s+6\s.*\s11,781\s+–\s+\$0\.105\s+anthropic-team$/m)
    expect(result.stdout).toMatch(/^task\s+requests/m)
    expect(result.stdout).toContain('rejected: invalid_json 5')
  })

  it('prints the cached tokens, the cache hit ratio and what the cache saved when the log has cache counts', async () => {
    const file = join(dir, 'audit.jsonl')
    const withCache = (id: string, at: number, cached: number, saved: number) =>
      requestEvents({id, at, attempts: [{model: A, status: 200}]}).map((event) =>
        event.event === 'proxy_response'
          ? {
              ...event,
              usage: {prompt_tokens: 2048, completion_tokens: 48, cached_tokens: cached, cache_write_tokens: null},
              cost_usd: 0.004,
              cache_savings_usd: saved,
            }
          : event,
      )
    await writeFile(file, jsonl([...withCache('r1', T0, 0, 0), ...withCache('r2', T0 + 1000, 1536, 0.0024192)]))
    const result = await runCli(['metrics', 'tail', '--once', '--file', file])
    expect(result.code).toBe(0)
    // 1 536 of 4 096 prompt tokens came from the cache.
    expect(result.stdout).toMatch(
      /^Usage\s+4,096 prompt \(1,536 cached, 38%\) \+ 96 completion tokens · est\. \$0\.0080 · cache saved \$0\.0024$/m,
    )
    expect(result.stdout).toMatch(/^openai\/gpt-5\.2\s+2\s.*\s4,192\s+38%\s+\$0\.0080\s+main$/m)
  })

  it('prints the summary as JSON that matches the documented schema', async () => {
    const result = await runCli(['metrics', 'tail', '--once', '--json', '--file', FIXTURE])
    expect(result.code).toBe(0)
    const summary = AuditSummarySchema.parse(JSON.parse(result.stdout))
    expect(summary.requests.total).toBe(200)
    expect(summary.lines).toEqual({events: 1085, malformed: 0, unknown: 0})
    expect(summary.models.reduce((n, m) => n + m.requests, 0)).toBe(195)
  })

  it('reads the default log from ROUTER_AUDIT_LOG_PATH and limits it with --since', async () => {
    const file = join(dir, 'audit.jsonl')
    const old = requestEvents({id: 'old', at: Date.now() - 3 * 3_600_000, attempts: [{model: A, status: 200}]})
    const recent = requestEvents({id: 'new', at: Date.now() - 60_000, attempts: [{model: B, status: 200}]})
    await writeFile(file, jsonl([...old, ...recent]) + 'garbage\n')
    const result = await runCli(['metrics', 'tail', '--once', '--json', '--since', '1h'], {
      env: {ROUTER_AUDIT_LOG_PATH: file},
    })
    expect(result.code).toBe(0)
    const summary = AuditSummarySchema.parse(JSON.parse(result.stdout))
    expect(summary.requests.total).toBe(1)
    expect(summary.models.map((m) => m.model)).toEqual([B])
    expect(summary.lines.malformed).toBe(1)
  })

  it('fails with exit code 2 and a fix for a missing file, a bad --since or --interval, or conflicting flags', async () => {
    const [missing, since, interval, both, json] = await Promise.all([
      runCli(['metrics', 'tail', '--once', '--file', join(dir, 'nope.jsonl')]),
      runCli(['metrics', 'tail', '--once', '--file', FIXTURE, '--since', 'last tuesday']),
      runCli(['metrics', 'tail', '--no-tui', '--file', FIXTURE, '--interval', '0']),
      runCli(['metrics', 'tail', '--once', '--url', 'http://127.0.0.1:9']),
      runCli(['metrics', 'tail', '--once', '--json', '--file', join(dir, 'nope.jsonl')]),
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('does not exist')
    expect(missing.stderr).toContain('Fix:')
    expect(since.code).toBe(2)
    expect(since.stderr).toContain('--since "last tuesday" is not a position or a time')
    expect(interval.code).toBe(2)
    expect(interval.stderr).toContain('--interval "0" is not a positive number.')
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('--once summarises a file')
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'audit_log_missing'}})
  })
})

describe('router metrics tail (following)', () => {
  it('prints one plain line per request when stdout is not a terminal, following growth and rotation', async () => {
    const file = join(dir, 'audit.jsonl')
    await writeFile(
      file,
      jsonl(
        requestEvents({
          id: 'req_one',
          at: T0,
          attempts: [
            {model: A, status: 503},
            {model: B, status: 200},
          ],
        }),
      ),
    )
    const run = tail(['--file', file])
    await vi.waitFor(() => expect(run.lines()).toHaveLength(1), {timeout: 30_000})
    expect(run.lines()[0]).toMatch(
      / req_one coding\/high gemini\/gemini-2\.5-flash@main gpt-5\.2 ✗503 → gemini-2\.5-flash ✓ 200 /,
    )
    // A partial line, then its end.
    const two = jsonl(requestEvents({id: 'req_two', at: T0 + 1000, attempts: [{model: A, status: 200}]}))
    await appendFile(file, two.slice(0, -30))
    await appendFile(file, two.slice(-30))
    await vi.waitFor(() => expect(run.lines()).toHaveLength(2), {timeout: 30_000})
    await rename(file, `${file}.1`)
    await writeFile(file, jsonl(requestEvents({id: 'req_three', at: T0 + 2000, attempts: [{model: B, status: 200}]})))
    await vi.waitFor(() => expect(run.lines()).toHaveLength(3), {timeout: 30_000})
    expect(run.lines()[2]).toContain(' req_three ')
    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
  })

  it('prints the rolling metrics snapshot as JSON lines with --json', async () => {
    const file = join(dir, 'audit.jsonl')
    const now = Date.now()
    await writeFile(
      file,
      jsonl(requestEvents({id: 'r1', at: now - 2000, attempts: [{model: A, status: 200, latency_ms: 300}]})),
    )
    const run = tail(['--file', file, '--json', '--interval', '0.2'])
    await vi.waitFor(() => expect(run.lines().length).toBeGreaterThanOrEqual(1), {timeout: 30_000})
    const first = LiveMetricsSnapshotSchema.parse(JSON.parse(run.lines()[0]))
    expect(first.totals.requests_total).toBe(1)
    expect(first.models.map((m) => [m.model, m.latency_ewma_ms])).toEqual([[A, 300]])
    await appendFile(
      file,
      jsonl(
        requestEvents({
          id: 'r2',
          at: Date.now(),
          attempts: [
            {model: A, status: 500},
            {model: B, status: 200},
          ],
        }),
      ),
    )
    await vi.waitFor(() => expect(JSON.parse(run.lines().at(-1)!).totals.requests_total).toBe(2), {timeout: 30_000})
    const last = LiveMetricsSnapshotSchema.parse(JSON.parse(run.lines().at(-1)!))
    expect(last.models.find((m) => m.model === A)).toMatchObject({samples: 2, failures: 1, failure_ewma: 0.2})
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(0)
  })

  it('follows a gateway over SSE with the key, and reconnects when it restarts', async () => {
    const first = await startSseAuditServer({apiKey: 'sk-ingress'})
    servers.push(first)
    const run = tail(['--url', first.url, '--log-format', 'json'], {ROUTER_API_KEY: 'sk-ingress'})
    await first.connected(1)
    for (const event of requestEvents({id: 'sse_one', at: Date.now(), attempts: [{model: A, status: 200}]}))
      first.push(event)
    await vi.waitFor(() => expect(run.lines()).toHaveLength(1), {timeout: 30_000})
    expect(JSON.parse(run.lines()[0])).toMatchObject({request_id: 'sse_one', model: A, outcome: 'success'})
    expect(first.requests[0].authorization).toBe('Bearer sk-ingress')
    await first.close()
    servers.splice(0)
    const second = await startSseAuditServer({apiKey: 'sk-ingress', port: first.port})
    servers.push(second)
    await second.connected(1)
    for (const event of requestEvents({id: 'sse_two', at: Date.now(), attempts: [{model: B, status: 200}]}))
      second.push(event)
    await vi.waitFor(() => expect(run.lines()).toHaveLength(2), {timeout: 30_000})
    expect(JSON.parse(run.lines()[1])).toMatchObject({request_id: 'sse_two'})
    expect(run.out.stderr).toMatch(/reconnecting in \d+s/)
    expect(run.out.stderr).not.toContain('sk-ingress')
    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
  })

  it('exits with code 2 when the gateway refuses the key', async () => {
    const gateway = await startSseAuditServer({apiKey: 'right'})
    servers.push(gateway)
    const run = tail(['--url', gateway.url, '--api-key', 'wrong'])
    expect(await run.exited).toBe(2)
    expect(run.out.stderr).toContain('refused the events stream (401)')
    expect(run.out.stderr).not.toContain('wrong')
  })
})
