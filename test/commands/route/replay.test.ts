/**
 * `router route replay` run as a user runs it: on the audit log a real gateway wrote while an agent-like client (the
 * official OpenAI SDK, one session) talked to simulated providers through it, and on a hand-written log of the turns a
 * replay cannot take as they are.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {parseConfig} from '../../../src/core/config/load.js'
import {ReplayReportSchema, type ReplayReport} from '../../../src/core/replay/schema.js'
import {modelInfo, usageCost} from '../../../src/core/routing/model-info.js'
import {startSim, type SimServer} from '../../../src/sim/index.js'
import {startTestGateway} from '../../helpers/gateway.js'
import {runCli} from '../../helpers/run-cli.js'

const FIXTURE = resolve('test/fixtures/audit/replay-edge-cases.jsonl')

/** Two OpenAI models and Claude: easy turns go to gpt-5-mini, hard ones to Claude Sonnet. */
function gatewayConfig(simUrl: string, extra = ''): string {
  return `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/gpt-5.1: {}
  anthropic/claude-sonnet-4.5: {}
accounts:
  - {name: openai, provider: openai, base_url: ${simUrl}/v1, api_key: sk-sim-openai}
  - {name: claude, provider: anthropic, base_url: ${simUrl}/v1, api_key: sk-sim-anthropic}
task_routes:
  general: {low: [openai/gpt-5-mini], medium: [openai/gpt-5-mini], high: [anthropic/claude-sonnet-4.5]}
  coding: {low: [openai/gpt-5-mini], medium: [openai/gpt-5-mini], high: [anthropic/claude-sonnet-4.5]}
${extra}`
}

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'read_file',
      description: 'Read a file',
      parameters: {type: 'object', properties: {path: {type: 'string'}}, required: ['path']},
    },
  },
]

let sim: SimServer
let dir: string
let auditPath: string
let events: AuditEvent[]
const configs: Record<string, string> = {}

beforeAll(async () => {
  sim = await startSim({name: 'sim'})
  dir = await mkdtemp(join(tmpdir(), 'route-replay-'))
  const gateway = await startTestGateway(gatewayConfig(sim.url), {dir})
  try {
    // An agent's session: an easy opening, a hard turn, then a tool call, its result and a "continue", all on one
    // x-session-id, each turn resending the conversation so far.
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'sk-client',
      defaultHeaders: {'x-session-id': 'agent-1'},
    })
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      {role: 'system', content: 'You are a coding agent. Use the tools to read files.'},
    ]
    const turn = async (message: OpenAI.Chat.Completions.ChatCompletionMessageParam, effort?: 'high') => {
      messages.push(message)
      const answer = await client.chat.completions.create({
        model: 'auto',
        messages,
        tools: TOOLS,
        ...(effort ? {reasoning_effort: effort} : {}),
      })
      messages.push(answer.choices[0].message)
    }
    await turn({role: 'user', content: 'Hi, can you help me with a Rust project?'})
    // The client asks for more effort on one turn (as Codex CLI does per turn): the session moves up and stays up.
    await turn({role: 'user', content: 'Make the map in src/map.rs safe to share between threads.'}, 'high')
    await turn({role: 'user', content: 'Use the read_file tool on src/map.rs first.'})
    const call = messages.at(-1) as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam
    await turn({
      role: 'tool',
      tool_call_id: call.tool_calls?.[0]?.id ?? 'call_1',
      content: 'pub struct Map { shards: Vec<Mutex<HashMap<u64, u64>>> }',
    })
    await turn({role: 'user', content: 'continue'})
  } finally {
    await gateway.close()
  }
  auditPath = gateway.auditPath
  events = (await readFile(auditPath, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent)
  configs.same = join(dir, 'same.yaml')
  configs.noAffinity = join(dir, 'no-affinity.yaml')
  configs.gpt51 = join(dir, 'gpt51.yaml')
  await writeFile(configs.same, gatewayConfig(sim.url))
  await writeFile(configs.noAffinity, gatewayConfig(sim.url, 'session: {affinity: false}'))
  await writeFile(
    configs.gpt51,
    `default_model: openai/gpt-5.1\nmodels:\n  openai/gpt-5.1: {}\naccounts:\n  - {name: openai, provider: openai, base_url: ${sim.url}/v1, api_key: sk-sim-openai}\n`,
  )
}, 60_000)

afterAll(async () => {
  await sim?.close()
  if (dir) await rm(dir, {recursive: true, force: true})
})

async function replayJson(log: string, config: string): Promise<ReplayReport> {
  const result = await runCli(['route', 'replay', log, '--config', config, '--json'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return ReplayReportSchema.parse(JSON.parse(result.stdout))
}

const responses = () =>
  events.filter((e): e is Extract<AuditEvent, {event: 'proxy_response'}> => e.event === 'proxy_response')
const decisions = () =>
  events.filter((e): e is Extract<AuditEvent, {event: 'route_decision'}> => e.event === 'route_decision')

describe('router route replay on a real gateway log', () => {
  it('was recorded from one session that moved up to Claude and stayed there, without prompts in the log', () => {
    // The turns after the one with more effort are easier on their own (an agent's turn is judged by what it asks, not
    // by the conversation it resends): affinity kept them on Claude.
    expect(decisions().map((d) => d.session?.turn_complexity)).toEqual(['low', 'high', 'medium', 'medium', 'medium'])
    expect(decisions().map((d) => [d.selected_model, d.session?.affinity])).toEqual([
      ['openai/gpt-5-mini', 'new'],
      ['anthropic/claude-sonnet-4.5', 'move_up'],
      ['anthropic/claude-sonnet-4.5', 'stay'],
      ['anthropic/claude-sonnet-4.5', 'stay'],
      ['anthropic/claude-sonnet-4.5', 'stay'],
    ])
    expect(events.some((e) => 'prompt' in e)).toBe(false)
  })

  it('routes every turn as the gateway did on the config that recorded it, at the cost the log recorded', async () => {
    const report = await replayJson(auditPath, configs.same)
    const recordedCost = responses().reduce((sum, e) => sum + (e.cost_usd ?? 0), 0)
    expect(report).toMatchObject({decisions: 5, replayed: 5, priced: 5, unchanged: 5, changes: [], issues: []})
    expect(report.total.recorded_cost_usd).toBeCloseTo(recordedCost, 9)
    expect(report.total.difference_usd).toBe(0)
    expect(report.sessions).toMatchObject({sessions: 1, turns: 5, recorded_switches: 1, replayed_switches: 1})
    expect(report.sessions.replayed_affinity).toEqual(report.sessions.recorded_affinity)
  })

  it('prices every turn with its recorded tokens on the one model of another config', async () => {
    const report = await replayJson(auditPath, configs.gpt51)
    const gpt51 = modelInfo(parseConfig(await readFile(configs.gpt51, 'utf8'), configs.gpt51).config, 'openai/gpt-5.1')
    const expected = responses().reduce((sum, e) => sum + usageCost(gpt51, e.usage).cost_usd!, 0)
    expect(report.changes).toEqual([
      {from: 'anthropic/claude-sonnet-4.5', to: 'openai/gpt-5.1', turns: 4},
      {from: 'openai/gpt-5-mini', to: 'openai/gpt-5.1', turns: 1},
    ])
    expect(report.total.replayed_cost_usd).toBeCloseTo(expected, 9)
    expect(report.models.map((m) => [m.model, m.recorded_turns, m.replayed_turns])).toEqual([
      ['anthropic/claude-sonnet-4.5', 4, 0],
      ['openai/gpt-5-mini', 1, 0],
      ['openai/gpt-5.1', 0, 5],
    ])
  })

  it("shows a profile's session settings: with affinity off, the follow-up turns leave Claude", async () => {
    const report = await replayJson(auditPath, configs.noAffinity)
    expect(report.sessions.replayed_affinity).toEqual({off: 5})
    expect(report.changes).toEqual([{from: 'anthropic/claude-sonnet-4.5', to: 'openai/gpt-5-mini', turns: 3}])
    expect(report.sessions).toMatchObject({recorded_switches: 1, replayed_switches: 2})
    expect(report.total.replayed_cost_usd).toBeLessThan(report.total.recorded_cost_usd)
  })

  it('prints the route changes, the cost per model and in total, and the sessions as text', async () => {
    const result = await runCli(['route', 'replay', auditPath, '--config', configs.gpt51])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toBe(`Replayed 5 of 5 decisions of ${auditPath} on ${configs.gpt51} (profile custom).`)
    expect(result.stdout).toMatch(/^ {2}anthropic\/claude-sonnet-4\.5 → openai\/gpt-5\.1 {2}4$/m)
    expect(result.stdout).toMatch(/^ {2}openai\/gpt-5\.1 +0 +\$0 +5 +\$[\d.]+ +\+\$[\d.]+$/m)
    expect(result.stdout).toMatch(/^ {2}total +5 +\$[\d.]+ +5 +\$[\d.]+ +[+−]\$[\d.]+ \([+−][\d.]+%\)$/m)
    expect(result.stdout).toContain('Sessions: 1 session, 5 turns')
  })
})

describe('router route replay on a hand-written log', () => {
  it('says which turns it could not replay or price, and why', async () => {
    const report = await replayJson(FIXTURE, configs.same)
    expect(report.malformed_lines).toBe(1)
    expect(report.issue_counts).toEqual({
      no_requirements: 1,
      model_not_in_config: 1,
      refused: 1,
      no_usage: 1,
      unpriced: 1,
    })
    expect(report.issues.map((issue) => [issue.request_id, issue.issue])).toEqual([
      ['req_old', 'no_requirements'],
      ['req_opus', 'model_not_in_config'],
      ['req_huge', 'refused'],
      ['req_failed', 'no_usage'],
      ['req_house', 'unpriced'],
    ])
    expect(report).toMatchObject({decisions: 6, replayed: 4, priced: 2})
  })

  it('lists them in the text report with their request ids', async () => {
    const result = await runCli(['route', 'replay', FIXTURE, '--config', configs.same])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      '  1 skipped: logged before route_decision carried requirements\n    req_old  its route_decision has no requirements\n',
    )
    expect(result.stdout).toMatch(
      / {2}1 not replayed: the config refuses them\n {4}req_huge {2}no_candidates: No model can serve this request/,
    )
    expect(result.stdout).toContain('1 line of the log was not an audit event: skipped.')
  })

  it('refuses a file that is not an audit log, and one that does not exist, with exit code 2', async () => {
    const notALog = join(dir, 'notes.txt')
    await writeFile(notALog, 'hello\nworld\n')
    const wrong = await runCli(['route', 'replay', notALog, '--config', configs.same])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain('is not an audit log')
    const missing = await runCli(['route', 'replay', join(dir, 'nope.jsonl'), '--config', configs.same, '--json'])
    expect(missing.code).toBe(2)
    expect(JSON.parse(missing.stdout).error.message).toContain('no such file')
  })
})
