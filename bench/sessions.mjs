/**
 * `npm run bench -- --sessions`: what session-aware routing costs a coding agent. A seeded agent workload
 * (bench/lib/agent-workload.js: 50 sessions of 20–60 turns by default, Claude Code's Messages API requests with their
 * cache breakpoints) goes through a real gateway (`router serve`) in front of two real simulated providers (`router sim`,
 * one speaking OpenAI's API and one Anthropic's, which report cached prompt tokens as the real APIs do, per model), once
 * per mode, each with fresh processes (cold caches):
 *   (a) every turn on the profile's strongest model (the client names it);
 *   (b) per-turn routing: the profile with `session: {affinity: false}`;
 *   (c) session-aware routing: the profile as it is (affinity on).
 * The figures come from each run's audit log: the estimated cost (the sum of `proxy_response.cost_usd`, so that it
 * prices cached tokens as soon as the gateway does), the prompt tokens read from a cache (`usage.cached_tokens` where
 * the audit has it, else what the answers told the client), the models used, the model switches within sessions, the
 * tiers, and `route_decision.decision_ms`. See docs/benchmark.md ("Sessions: an agent workload").
 *
 * Exits 1 only when requests failed, never because of a target.
 */
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {request} from 'undici'

import {parseConfig} from '../dist/core/config/load.js'
import {modelInfo} from '../dist/core/routing/model-info.js'
import {configuredModelKeys} from '../dist/core/routing/resolve-model.js'
import {sessionKeyOf} from '../dist/core/routing/session.js'
import {agentWorkload, turnBody} from './lib/agent-workload.js'
import {int, num, table} from './lib/report.js'
import {startGateway, startSimulator} from './lib/services.js'
import {mean, quantile, round} from './lib/stats.js'

/** Output tokens of every simulated answer (`router sim --chunks`): an agent's step is a few hundred. */
const ANSWER_TOKENS = 300
const KEYS = {BENCH_OPENAI_KEY: 'sk-bench-openai', BENCH_ANTHROPIC_KEY: 'sk-bench-anthropic'}

/** The profile under test, its accounts on the simulators; `session` is its session settings (YAML flow). */
function profileYaml(name, urls, session = null) {
  return [
    `profile: {default: ${name}}`,
    'accounts:',
    `  - {name: openai, provider: openai, base_url: ${urls.openai}/v1, api_key_env: BENCH_OPENAI_KEY}`,
    `  - {name: anthropic, provider: anthropic, base_url: ${urls.anthropic}/v1, api_key_env: BENCH_ANTHROPIC_KEY}`,
    ...(session ? [`session: ${session}`] : []),
    '',
  ].join('\n')
}

/** The profile's strongest chat model: the highest quality among the models its routes name (the dearer on a tie). */
function strongestModel(name) {
  const {config} = parseConfig(
    profileYaml(name, {openai: 'http://127.0.0.1:9', anthropic: 'http://127.0.0.1:9'}),
    'bench.profile.yaml',
    {env: KEYS},
  )
  const routed = new Set(Object.values(config.task_routes).flatMap((route) => Object.values(route ?? {}).flat()))
  const chat = configuredModelKeys(config).filter(
    (key) => routed.has(key) && !modelInfo(config, key).capability_set.has('embeddings'),
  )
  const rank = (key) => [modelInfo(config, key).quality, modelInfo(config, key).cost_output_per_1k]
  return chat.sort((a, b) => rank(b)[0] - rank(a)[0] || rank(b)[1] - rank(a)[1])[0]
}

const MODES = [
  {id: 'strongest', label: '(a) strongest model', session: null},
  {id: 'per_turn', label: '(b) per-turn routing', session: '{affinity: false}'},
  {id: 'sessions', label: '(c) session-aware', session: null},
]

/** Runs the mode; returns the exit code (1 when requests failed). */
export async function runSessionsBench(flags, {dir, outPath, print}) {
  const workload = agentWorkload({sessions: flags.sessionCount, seed: flags.sessionSeed})
  const turns = workload.reduce((sum, session) => sum + session.turns.length, 0)
  const sizes = workload.flatMap((session) =>
    session.turns.map((_, i) => Buffer.byteLength(JSON.stringify(turnBody(session, i)))),
  )
  const strongest = strongestModel(flags.routingProfile)
  print(
    `bench --sessions: ${workload.length} agent sessions (seed ${flags.sessionSeed}), ${int(turns)} turns, ${num(mean(sizes) / 1024, 1)} KB per request on average ` +
      `(largest ${num(Math.max(...sizes) / 1024, 1)} KB), ${flags.sessionConcurrency} sessions at a time; profile ${flags.routingProfile} ` +
      `(strongest model ${strongest}) with an OpenAI and an Anthropic account, each on its own router sim`,
  )
  const recognition = recognitionCost(workload)
  const failures = []
  const modes = {}
  for (const mode of MODES) {
    const started = performance.now()
    const run = await runMode(mode, {flags, dir, workload, strongest, failures})
    modes[mode.id] = {
      ...figures(run.events, run.answers, run.config),
      wall_s: round((performance.now() - started) / 1000, 1),
    }
    print(`  ${mode.label}: ${int(run.answers.length)} answers in ${modes[mode.id].wall_s} s`)
  }
  const report = summarize(modes)
  printReport(print, modes, report, recognition)
  const results = {
    version: 1,
    mode: 'sessions',
    started_at: new Date().toISOString(),
    settings: {
      sessions: workload.length,
      turns,
      seed: flags.sessionSeed,
      concurrency: flags.sessionConcurrency,
      profile: flags.routingProfile,
      strongest,
      answer_tokens: ANSWER_TOKENS,
    },
    modes,
    report,
    session_recognition_us: recognition,
    failures,
  }
  await mkdir(dirname(outPath), {recursive: true})
  await writeFile(outPath, JSON.stringify(results, null, 2) + '\n')
  print(`results: ${outPath}`)
  if (failures.length > 0) {
    print(
      `\nFAILED:\n${failures
        .slice(0, 20)
        .map((f) => `  - ${f}`)
        .join('\n')}`,
    )
    return 1
  }
  return 0
}

/** One mode: fresh simulators and gateway, the whole workload through it, then its audit log. */
async function runMode(mode, {flags, dir, workload, strongest, failures}) {
  const modeDir = join(dir, `sessions-${mode.id}`)
  await mkdir(modeDir, {recursive: true})
  const services = []
  const answers = []
  try {
    const sim = (protocol) =>
      startSimulator(['--protocol', protocol, '--name', protocol, '--chunks', String(ANSWER_TOKENS)])
    const [openai, anthropic] = await Promise.all([sim('openai'), sim('anthropic')])
    services.push(openai, anthropic)
    const gateway = await startGateway({
      dir: modeDir,
      config: profileYaml(flags.routingProfile, {openai: openai.url, anthropic: anthropic.url}, mode.session),
      env: KEYS,
      name: mode.id,
    })
    services.push(gateway)
    const queue = [...workload]
    const worker = async () => {
      for (let session = queue.shift(); session !== undefined; session = queue.shift()) {
        for (let i = 0; i < session.turns.length; i++) {
          const body = turnBody(session, i)
          if (mode.id === 'strongest') body.model = strongest
          const response = await request(`${gateway.url}/v1/messages`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'anthropic-version': '2023-06-01',
              'x-claude-code-session-id': session.id,
            },
            body: JSON.stringify(body),
          })
          const text = await response.body.text()
          if (response.statusCode !== 200) {
            failures.push(
              `${mode.id}: ${session.id} turn ${i + 1} answered ${response.statusCode}: ${text.slice(0, 200)}`,
            )
            continue
          }
          answers.push({
            usage: JSON.parse(text).usage,
            model: response.headers['x-router-model'],
            request_id: response.headers['x-router-request-id'],
            kind: session.turns[i].kind,
          })
        }
      }
    }
    await Promise.all(Array.from({length: flags.sessionConcurrency}, worker))
    // A graceful stop writes out the audit log.
    await gateway.stop()
    const events = (await readFile(gateway.auditPath, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
    return {
      events,
      answers,
      config: parseConfig(
        profileYaml(flags.routingProfile, {openai: openai.url, anthropic: anthropic.url}, mode.session),
        'bench.profile.yaml',
        {env: KEYS},
      ).config,
    }
  } finally {
    for (const service of services) await service.stop()
  }
}

/**
 * Where a mode's cost goes: per turn kind (the workload's `task`, `tool_result`, `follow_up`, `hard`) and per model, the
 * turns and the cost of each answer split into the prompt's uncached input, cache reads, cache writes and output, at the
 * prices `cost_usd` uses (`usageCost`). Turns are matched to their kind by the answer's `x-router-request-id`.
 */
function breakdown(responses, answers, config) {
  const kindOf = new Map(answers.map((a) => [a.request_id, a.kind]))
  const byKind = {}
  const byModel = {}
  const add = (table, key, part) => {
    const row = (table[key] ??= {
      turns: 0,
      cost_usd: 0,
      input_usd: 0,
      cache_read_usd: 0,
      cache_write_usd: 0,
      output_usd: 0,
      prompt_tokens: 0,
      cached_tokens: 0,
    })
    for (const [name, value] of Object.entries(part)) row[name] += value
  }
  for (const e of responses) {
    const info = modelInfo(config, e.model)
    const prompt = e.usage.prompt_tokens ?? 0
    const read = e.usage.cached_tokens ?? 0
    const written = e.usage.cache_write_tokens ?? 0
    const part = {
      turns: 1,
      cost_usd: e.cost_usd ?? 0,
      input_usd: ((prompt - read - written) * info.cost_input_per_1k) / 1000,
      cache_read_usd: (read * info.cost_cached_input_per_1k) / 1000,
      cache_write_usd: (written * info.cost_cache_write_per_1k) / 1000,
      output_usd: ((e.usage.completion_tokens ?? 0) * info.cost_output_per_1k) / 1000,
      prompt_tokens: prompt,
      cached_tokens: read,
    }
    add(byKind, kindOf.get(e.request_id) ?? 'unknown', part)
    add(byModel, e.model, part)
  }
  const rounded = (table) =>
    Object.fromEntries(
      Object.entries(table).map(([key, row]) => [
        key,
        Object.fromEntries(
          Object.entries(row).map(([name, value]) => [name, name.endsWith('_usd') ? round(value, 4) : value]),
        ),
      ]),
    )
  return {by_turn_kind: rounded(byKind), by_model: rounded(byModel)}
}

/** A mode's figures from its audit log (and, for the cache where the audit has no counts yet, its answers). */
function figures(events, answers, config) {
  const decisions = events.filter((e) => e.event === 'route_decision')
  const responses = events.filter((e) => e.event === 'proxy_response' && e.status < 300 && e.usage)
  const terminals = events.filter((e) => e.event === 'proxy_terminal')
  const count = (values) => values.reduce((out, value) => ({...out, [value]: (out[value] ?? 0) + 1}), {})
  const prompt = responses.reduce((sum, e) => sum + (e.usage.prompt_tokens ?? 0), 0)
  const auditHasCache = responses.some((e) => 'cached_tokens' in e.usage)
  const auditCached = responses.reduce((sum, e) => sum + (e.usage.cached_tokens ?? 0), 0)
  // Anthropic's usage as a Messages client sees it: `input_tokens` is what was neither read from the cache nor written.
  const seen = answers.reduce(
    (sum, a) => {
      const read = a.usage?.cache_read_input_tokens ?? 0
      return {
        prompt: sum.prompt + (a.usage?.input_tokens ?? 0) + read + (a.usage?.cache_creation_input_tokens ?? 0),
        read: sum.read + read,
      }
    },
    {prompt: 0, read: 0},
  )
  // Model switches: a turn of a session answered by another model than the session's turn before it.
  const bySession = new Map()
  let switches = 0
  const modelOf = new Map(terminals.map((t) => [t.request_id, t.model]))
  for (const d of decisions) {
    const id = d.session?.id
    const model = modelOf.get(d.request_id)
    if (id === undefined || model === undefined) continue
    if (bySession.has(id) && bySession.get(id) !== model) switches++
    bySession.set(id, model)
  }
  const ms = decisions.map((d) => d.decision_ms)
  return {
    requests: decisions.length,
    succeeded: terminals.filter((t) => t.outcome === 'success').length,
    cost_usd: round(
      responses.reduce((sum, e) => sum + (e.cost_usd ?? 0), 0),
      4,
    ),
    unpriced_answers: responses.filter((e) => e.cost_usd == null).length,
    audit_prices_cache: responses.some((e) => 'cache_savings_usd' in e),
    prompt_tokens: prompt,
    cached_tokens: auditHasCache ? auditCached : null,
    cache_hit_ratio: auditHasCache ? round(auditCached / Math.max(1, prompt), 4) : null,
    cache_hit_ratio_answers: round(seen.read / Math.max(1, seen.prompt), 4),
    models: count(terminals.map((t) => t.model)),
    complexity: count(decisions.map((d) => d.complexity)),
    turn_complexity: count(decisions.map((d) => d.session?.turn_complexity ?? d.complexity)),
    affinity: count(decisions.map((d) => d.session?.affinity ?? 'none')),
    session_switches: switches,
    decision_ms: {
      mean: round(mean(ms), 4),
      p50: round(quantile(ms, 0.5), 4),
      p90: round(quantile(ms, 0.9), 4),
      p99: round(quantile(ms, 0.99), 4),
    },
    ...breakdown(responses, answers, config),
  }
}

/** The comparisons the issue asks for: (c) against (a) and (b), and the decision time affinity adds. */
function summarize(modes) {
  const {strongest: a, per_turn: b, sessions: c} = modes
  return {
    c_over_a: round(c.cost_usd / a.cost_usd, 4),
    b_over_a: round(b.cost_usd / a.cost_usd, 4),
    c_over_b: round(c.cost_usd / b.cost_usd, 4),
    target_c_at_most_60pct_of_a: c.cost_usd <= 0.6 * a.cost_usd,
    target_c_below_b: c.cost_usd < b.cost_usd,
    added_decision_ms_p50: round(c.decision_ms.p50 - b.decision_ms.p50, 4),
    prices_cache: c.audit_prices_cache,
  }
}

/** Session recognition (`sessionKeyOf`, run before the decision and not in `decision_ms`) per turn, in µs. */
function recognitionCost(workload) {
  const runs = []
  for (const session of workload) {
    const headers = {'x-claude-code-session-id': session.id}
    for (let i = 0; i < session.turns.length; i += 5) {
      const body = turnBody(session, i)
      const withoutHeader = performance.now()
      sessionKeyOf('messages', body, {}, undefined)
      const withHeader = performance.now()
      sessionKeyOf('messages', body, headers, undefined)
      runs.push([withHeader - withoutHeader, performance.now() - withHeader])
    }
  }
  return {
    prefix_hash: round(
      quantile(
        runs.map((r) => r[0]),
        0.5,
      ) * 1000,
      1,
    ),
    header: round(
      quantile(
        runs.map((r) => r[1]),
        0.5,
      ) * 1000,
      1,
    ),
  }
}

function printReport(print, modes, report, recognition) {
  const ids = MODES.map((m) => m.id)
  const row = (label, f) => [label, ...ids.map((id) => f(modes[id]))]
  const pct = (value) => (value === null || value === undefined ? '–' : `${num(value * 100, 1)} %`)
  const describe = (counts) =>
    Object.entries(counts)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k.replace(/^[a-z-]+\//, '')} ${v}`)
      .join(', ')
  print('')
  print(
    table([
      ['', ...MODES.map((m) => m.label)],
      row(
        `estimated cost (audit cost_usd${report.prices_cache ? ', cache priced' : ', cache NOT priced'})`,
        (m) => `$${num(m.cost_usd, 2)}`,
      ),
      row('  share of (a)', (m) => pct(m.cost_usd / modes.strongest.cost_usd)),
      row('prompt tokens read from a cache (audit)', (m) => pct(m.cache_hit_ratio)),
      row('prompt tokens read from a cache (answers)', (m) => pct(m.cache_hit_ratio_answers)),
      row('model switches within sessions', (m) => int(m.session_switches)),
      row('decision_ms p50 / p90', (m) => `${num(m.decision_ms.p50, 3)} / ${num(m.decision_ms.p90, 3)}`),
      row('answers without a price', (m) => int(m.unpriced_answers)),
    ]),
  )
  print('')
  for (const mode of MODES) {
    const m = modes[mode.id]
    print(
      `${mode.label}: models ${describe(m.models)}; tiers ${describe(m.complexity)} (turns on their own: ${describe(m.turn_complexity)}); affinity ${describe(m.affinity)}`,
    )
  }
  print('')
  const money = (value) => `$${num(value, 2)}`
  for (const [title, field] of [
    ['turn kind', 'by_turn_kind'],
    ['model', 'by_model'],
  ]) {
    const keys = [...new Set(ids.flatMap((id) => Object.keys(modes[id][field])))]
    print(`cost by ${title}: turns, total (uncached input + cache reads + cache writes + output)`)
    print(
      table([
        ['', ...MODES.map((m) => m.label)],
        ...keys.map((key) => [
          key.replace(/^[a-z-]+\//, ''),
          ...ids.map((id) => {
            const r = modes[id][field][key]
            return r === undefined
              ? '–'
              : `${int(r.turns)}: ${money(r.cost_usd)} (${money(r.input_usd)} + ${money(r.cache_read_usd)} + ${money(r.cache_write_usd)} + ${money(r.output_usd)})`
          }),
        ]),
      ]),
    )
    print('')
  }
  print(
    `(c) / (a) = ${pct(report.c_over_a)} (target ≤ 60 %: ${report.target_c_at_most_60pct_of_a ? '✓' : '✗'}); (c) / (b) = ${pct(report.c_over_b)} (target below: ${report.target_c_below_b ? '✓' : '✗'})`,
  )
  print(
    `decision time added by affinity: ${num(report.added_decision_ms_p50 * 1000, 1)} µs at p50 ((c) − (b)); session recognition before the decision: ` +
      `${num(recognition.header, 1)} µs from Claude Code's header, ${num(recognition.prefix_hash, 1)} µs from the prompt's prefix (p50)`,
  )
  if (!report.prices_cache) {
    print(
      "note: this gateway prices no cache (its proxy_response has no cache_savings_usd): cost_usd takes OpenAI's cached tokens at the full input " +
        "price and leaves Anthropic's cache reads and writes out of a Messages answer's prompt tokens, so the costs are not comparable for cached " +
        'traffic; the hit ratios and decision times are',
    )
  }
}
