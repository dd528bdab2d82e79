#!/usr/bin/env node
/**
 * `npm run bench`: what the gateway costs. Starts the zero-latency upstream (`router sim --fast`) and the gateway
 * (`router serve`, default settings, audit log on) as their own processes on 127.0.0.1, drives load from a third
 * process (autocannon, see load-worker.js) at the upstream directly and through the gateway, interleaved, and reports
 * throughput, latency, the gateway's CPU time per request and its memory, one-connection latency and time to the first
 * streamed chunk, and the routing decision timings (bench/routing.mjs, run first, on a quiet machine). See
 * docs/benchmark.md.
 *
 * Exits 1 only when something failed (errors, non-2xx answers, a process that died), never because of a target.
 */
import {spawn} from 'node:child_process'
import {copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {cpus, loadavg, release, tmpdir, totalmem} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {parseArgs} from 'node:util'
import {existsSync, readFileSync} from 'node:fs'

import {request} from 'undici'

import {formatSummary, summarizeProfile} from './profile-summary.js'
import {HAS_PROC, meterFor, sampleRss} from './lib/procfs.js'
import {evaluateTargets, int, num, signed, table, verdict} from './lib/report.js'
import {
  APIS,
  chatBody,
  CONVERSATIONS,
  conversation,
  distinctRequests,
  messagesApiBody,
  messagesBytes,
} from './lib/requests.js'
import {
  killAll,
  MODEL_KEY,
  ROOT,
  startBaseline,
  startGateway,
  startUpstream,
  UPSTREAM_KEY,
  UPSTREAM_MODEL,
} from './lib/services.js'
import {linearFit, mean, quantile, round} from './lib/stats.js'
import {runWorker} from './lib/worker.js'

const ROUTING_BENCH = join(ROOT, 'bench', 'routing.mjs')
const MB = 1024 * 1024
const AFTER_LOAD_WAIT_S = 30
/**
 * Wait before the idle footprint is read: the gateway compacts its heap after 10 s without a request
 * (`ROUTER_MEMORY_COMPACT_IDLE_SECONDS`), may take up to 5 s more to get V8's young generation back, and the system
 * takes back the freed pages within a second or two.
 */
const IDLE_WAIT_S = 18

const USAGE = `Usage: npm run bench -- [flags]

  --duration N        seconds per measured run (default 10)
  --connections N     concurrent connections (default 50; 10 with --soak)
  --only json|stream  measure only non-streaming or only streaming chat
  --rounds N          interleaved direct/gateway rounds per mode (default 2)
  --sequential N      requests per target in the one-connection run (default 2000)
  --warmup N          seconds per warm-up step (default 5); the gateway is warmed up step by step until it has
                      served --warmup-requests requests and its CPU per request is steady (within 10 % of the
                      step before), at most --warmup-steps steps
  --warmup-requests N requests the gateway serves per mode before it counts as warm (default 20000)
  --warmup-steps N    most warm-up steps per mode for the gateway (default 12)
  --soak 10m          instead: a long run at moderate load (--rate req/s, default 1000) that tracks RSS
  --rate N            request rate of the soak, requests per second (default 1000)
  --skip-idle-wait    do not wait ${AFTER_LOAD_WAIT_S} s after the load for the "RSS after" figure
  --profile           run the gateway under --cpu-prof and summarise where its CPU time goes
  --conversation K    chat (default: about 1 KB of messages) or agent (a coding agent's turn: an 8 KB system
                      prompt, ten earlier turns and a short new question, 18 KB)
  --document-kb N     paste an N KB document into the last turn of the conversation (default 0); shows what a
                      long-context request costs
  --api chat|messages the API clients use through the gateway (default chat); messages sends Anthropic's Messages
                      API, which the gateway translates to chat completions for the upstream (what Claude Code costs)
  --redis             instead: two gateway replicas on one redis-server (needs it installed): throughput per
                      replica, Redis commands per request and the added latency of the Redis-backed key checks;
                      redis-server runs at nice -15 where allowed (--redis-no-priority: as it comes)
  --sessions          instead: an agent workload (seeded sessions of growing Messages API turns) through the gateway
                      against two router sim processes, three times: (a) always the profile's strongest model,
                      (b) per-turn routing (session affinity off), (c) session-aware routing; reports the estimated
                      cost from the audit log, the cache-hit ratio, model switches and the decision time
  --session-count N   sessions of --sessions (default 50; 20–60 turns each)
  --session-seed N    seed of the --sessions workload (default 1)
  --session-concurrency N
                      sessions sent at a time with --sessions (default 4)
  --routing-profile P built-in profile of --sessions (default auto)
  --baseline          also measure a minimal Fastify + undici proxy (bench/lib/baseline-proxy.js: no routing, audit
                      or metrics) beside the gateway: the floor of the gateway's stack on this machine
  --node-option OPT   an extra Node option for the gateway process, repeatable (e.g. --node-option=--max-semi-space-size=4)
  --out PATH          write the JSON results here (default bench/results/<timestamp>.json)
`

class UsageError extends Error {}

/** `10m`, `90s`, `1h`, `600` (seconds) → seconds. */
function parseDuration(text, flag) {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(String(text).trim())
  if (!match) throw new UsageError(`${flag} must be a duration such as 90s, 10m or 1h, got "${text}".`)
  return Number(match[1]) * {s: 1, m: 60, h: 3600}[match[2] ?? 's']
}

function positiveInt(text, flag) {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a whole number ≥ 1, got "${text}".`)
  return value
}

function parseFlags(argv) {
  let values
  try {
    ;({values} = parseArgs({
      args: argv,
      options: {
        duration: {type: 'string', default: '10'},
        connections: {type: 'string'},
        only: {type: 'string'},
        rounds: {type: 'string', default: '2'},
        sequential: {type: 'string', default: '2000'},
        warmup: {type: 'string', default: '5'},
        'warmup-steps': {type: 'string', default: '12'},
        'warmup-requests': {type: 'string', default: '20000'},
        soak: {type: 'string'},
        rate: {type: 'string', default: '1000'},
        'skip-idle-wait': {type: 'boolean', default: false},
        profile: {type: 'boolean', default: false},
        baseline: {type: 'boolean', default: false},
        redis: {type: 'boolean', default: false},
        sessions: {type: 'boolean', default: false},
        'session-count': {type: 'string', default: '50'},
        'session-seed': {type: 'string', default: '1'},
        'session-concurrency': {type: 'string', default: '4'},
        'routing-profile': {type: 'string', default: 'auto'},
        'redis-no-priority': {type: 'boolean', default: false},
        'node-option': {type: 'string', multiple: true, default: []},
        'document-kb': {type: 'string', default: '0'},
        conversation: {type: 'string', default: 'chat'},
        api: {type: 'string', default: 'chat'},
        out: {type: 'string'},
        help: {type: 'boolean', short: 'h', default: false},
      },
    }))
  } catch (error) {
    throw new UsageError(error.message)
  }
  if (values.only !== undefined && values.only !== 'json' && values.only !== 'stream') {
    throw new UsageError(`--only must be json or stream, got "${values.only}".`)
  }
  if (!APIS.includes(values.api)) {
    throw new UsageError(`--api must be ${APIS.join(' or ')}, got "${values.api}".`)
  }
  if (!CONVERSATIONS.includes(values.conversation)) {
    throw new UsageError(`--conversation must be ${CONVERSATIONS.join(' or ')}, got "${values.conversation}".`)
  }
  const soak = values.soak === undefined ? null : parseDuration(values.soak, '--soak')
  if (soak && values.baseline)
    throw new UsageError('--baseline measures beside the standard runs; it does not apply to --soak.')
  return {
    help: values.help,
    duration: parseDuration(values.duration, '--duration'),
    connections: values.connections === undefined ? (soak ? 10 : 50) : positiveInt(values.connections, '--connections'),
    modes: values.only ? [values.only] : ['json', 'stream'],
    rounds: positiveInt(values.rounds, '--rounds'),
    sequential: positiveInt(values.sequential, '--sequential'),
    warmup: parseDuration(values.warmup, '--warmup'),
    warmupSteps: positiveInt(values['warmup-steps'], '--warmup-steps'),
    warmupRequests: positiveInt(values['warmup-requests'], '--warmup-requests'),
    soak,
    rate: positiveInt(values.rate, '--rate'),
    skipIdleWait: values['skip-idle-wait'],
    profile: values.profile,
    baseline: values.baseline,
    redis: values.redis,
    sessions: values.sessions,
    sessionCount: positiveInt(values['session-count'], '--session-count'),
    sessionSeed: positiveInt(values['session-seed'], '--session-seed'),
    sessionConcurrency: positiveInt(values['session-concurrency'], '--session-concurrency'),
    routingProfile: values['routing-profile'],
    redisNoPriority: values['redis-no-priority'],
    nodeOptions: values['node-option'],
    documentKb: values['document-kb'] === '0' ? 0 : positiveInt(values['document-kb'], '--document-kb'),
    conversation: values.conversation,
    api: values.api,
    out: values.out,
  }
}

function monotonicUs() {
  return Number(process.hrtime.bigint() / 1000n)
}

/** The body of one request to `target`: a chat completion, or for `api: 'messages'` an Anthropic Messages request. */
function bodyFor(target, stream, messages) {
  return target.api === 'messages'
    ? messagesApiBody(target.model, stream, messages)
    : chatBody(target.model, stream, messages)
}

/** One request through undici, for the checks before the load. */
async function fetchText(url, headers, body) {
  const response = await request(url, {method: 'POST', headers, body})
  return {status: response.statusCode, headers: response.headers, text: await response.body.text()}
}

/**
 * Checks the setup before measuring anything: both targets answer both kinds of request correctly, and the gateway
 * routed to the one model. Throws with what was wrong.
 */
async function checkSetup(targets, messages) {
  const info = {}
  for (const [name, target] of Object.entries(targets)) {
    const anthropic = target.api === 'messages'
    const whole = await fetchText(target.url, target.headers, bodyFor(target, false, messages))
    if (whole.status !== 200)
      throw new Error(`${name}: non-streaming request answered ${whole.status}: ${whole.text.slice(0, 300)}`)
    const parsed = JSON.parse(whole.text)
    if (anthropic ? !Array.isArray(parsed.content) : !Array.isArray(parsed.choices)) {
      throw new Error(`${name}: the answer has no ${anthropic ? 'content' : 'choices'}: ${whole.text.slice(0, 300)}`)
    }
    const streamed = await fetchText(target.url, target.headers, bodyFor(target, true, messages))
    if (streamed.status !== 200)
      throw new Error(`${name}: streaming request answered ${streamed.status}: ${streamed.text.slice(0, 300)}`)
    const end = anthropic ? 'data: {"type":"message_stop"}' : 'data: [DONE]'
    if (!streamed.text.trimEnd().endsWith(end)) throw new Error(`${name}: the stream did not end with ${end}`)
    const events = streamed.text.split('\n\n').filter((frame) => /^(event: [^\n]*\n)?data: \{/.test(frame)).length
    info[name] = {
      json_bytes: Buffer.byteLength(whole.text),
      stream_bytes: Buffer.byteLength(streamed.text),
      stream_events: events,
    }
    if (name === 'gateway') {
      if (whole.headers['x-router-model'] !== MODEL_KEY)
        throw new Error(`gateway: routed to ${whole.headers['x-router-model']}, expected ${MODEL_KEY}`)
      if (typeof parsed._router !== 'object') throw new Error('gateway: the answer has no _router object')
      info.gateway.task = parsed._router.task
      info.gateway.complexity = parsed._router.complexity
    }
  }
  return info
}

/** The benchmark context: processes, meters, targets, and what went wrong so far. */
class Bench {
  constructor(flags, upstream, gateway, baseline = null) {
    this.flags = flags
    this.upstream = upstream
    this.gateway = gateway
    /** The minimal proxy of `--baseline`, or null. */
    this.baseline = baseline
    /**
     * The conversation every request carries (see `--conversation` and `--document-kb`), its last turn ending in a mark
     * the load generator makes a fresh id in each request (see `distinctRequests`).
     */
    this.messages = distinctRequests(conversation(flags.documentKb, flags.conversation))
    this.gatewayMeter = meterFor(gateway.child)
    this.upstreamMeter = HAS_PROC ? meterFor(upstream.child) : null
    this.baselineMeter = baseline ? meterFor(baseline.child) : null
    this.failures = []
    /** Monotonic µs windows of the gateway's measured load, and their request counts (for the profile). */
    this.windows = []
    this.windowRequests = 0
    const json = {'content-type': 'application/json'}
    this.targets = {
      direct: {
        url: `${upstream.url}/v1/chat/completions`,
        headers: {...json, authorization: `Bearer ${UPSTREAM_KEY}`},
        model: UPSTREAM_MODEL,
      },
      gateway:
        flags.api === 'messages'
          ? {
              url: `${gateway.url}/v1/messages`,
              headers: {...json, authorization: 'Bearer sk-bench-client'},
              model: 'auto',
              api: 'messages',
            }
          : {
              url: `${gateway.url}/v1/chat/completions`,
              headers: {...json, authorization: 'Bearer sk-bench-client'},
              model: 'auto',
            },
    }
    // It does not route: it gets the upstream's model id, as the direct requests do.
    if (baseline)
      this.targets.baseline = {url: `${baseline.url}/v1/chat/completions`, headers: json, model: UPSTREAM_MODEL}
  }

  /**
   * What the gateway's `/metrics` says of its heap: compactions after quiet periods so far, and the size of the heap and
   * of its young generation (MB). Tells an "idle" or "after" figure taken after a compaction from one taken before, and
   * one where V8 kept its 32 MB young generation. Null when the gateway does not answer.
   */
  async heapState() {
    try {
      const response = await request(`${this.gateway.url}/metrics`, {headersTimeout: 5000, bodyTimeout: 5000})
      const text = await response.body.text()
      const value = (pattern) => {
        const match = pattern.exec(text)
        return match ? Number(match[1]) : null
      }
      const mb = (bytes) => (bytes === null ? null : round(bytes / MB, 1))
      return {
        compactions: value(/^router_memory_compactions_total (\S+)$/m),
        heap_mb: mb(value(/^nodejs_heap_size_total_bytes (\S+)$/m)),
        young_generation_mb: mb(value(/^nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)$/m)),
      }
    } catch {
      return null
    }
  }

  /** Throws when the sim, the gateway or the baseline proxy has died: nothing after that would mean anything. */
  assertAlive() {
    for (const service of [this.upstream, this.gateway, this.baseline]) {
      if (!service) continue
      if (service.unexpectedExit) {
        const {code, signal} = service.unexpectedExit
        throw new Error(`${service.name} died (${signal ?? `exit code ${code}`})\n${service.stderr.trim()}`)
      }
    }
  }

  autocannonJob(target, mode, duration, extra = {}) {
    const t = this.targets[target]
    return {
      mode: 'autocannon',
      url: t.url,
      headers: t.headers,
      body: bodyFor(t, mode === 'stream', this.messages),
      connections: this.flags.connections,
      duration,
      ...extra,
    }
  }

  /** CPU time of the gateway (and of the upstream, where /proc allows, and of the baseline proxy) now. */
  async cpu() {
    return {
      at: monotonicUs(),
      gateway: await this.gatewayMeter.cpuUs(),
      upstream: await this.upstreamMeter?.cpuUs(),
      baseline: await this.baselineMeter?.cpuUs(),
    }
  }

  /** One autocannon run with the CPU time of both processes over its window. */
  async load(target, mode, duration, label, extra) {
    let before
    const result = await runWorker(this.autocannonJob(target, mode, duration, extra), async () => {
      before = await this.cpu()
    })
    const after = await this.cpu()
    this.assertAlive()
    const bad = result.errors + result.timeouts + result.non_2xx
    if (bad > 0) {
      this.failures.push(
        `${label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non_2xx} non-2xx answers out of ${result.requests}`,
      )
    }
    if (result.requests === 0) this.failures.push(`${label}: no request completed`)
    if (target === 'gateway' && label.startsWith('measure')) {
      this.windows.push([before.at, after.at])
      this.windowRequests += result.requests
    }
    return {...result, window_s: (after.at - before.at) / 1e6, ...cpuDelta(before, after)}
  }
}

/** CPU spent by each process between two readings, in µs. */
function cpuDelta(before, after) {
  const total = (cpu) => cpu.user + cpu.system
  return {
    gateway_cpu_us: total(after.gateway) - total(before.gateway),
    gateway_cpu_user_us: after.gateway.user - before.gateway.user,
    gateway_cpu_system_us: after.gateway.system - before.gateway.system,
    upstream_cpu_us: after.upstream ? total(after.upstream) - total(before.upstream) : null,
    baseline_cpu_us: after.baseline ? total(after.baseline) - total(before.baseline) : null,
    baseline_cpu_user_us: after.baseline ? after.baseline.user - before.baseline.user : null,
    baseline_cpu_system_us: after.baseline ? after.baseline.system - before.baseline.system : null,
  }
}

/**
 * Warms the gateway up until its CPU per request is steady: a fresh Node process spends its first thousands of
 * requests compiling (TurboFan runs on background threads, and their CPU is the process's), which on a slow or busy
 * machine takes tens of seconds. Returns the CPU per request of each step.
 */
async function warmUpGateway(bench, mode) {
  const {flags} = bench
  const steps = []
  let requests = 0
  for (let step = 1; step <= flags.warmupSteps; step++) {
    log(`warm-up: ${mode} gateway, step ${step}, ${flags.warmup} s`)
    const run = await bench.load('gateway', mode, flags.warmup, `warm-up ${mode} gateway`)
    requests += run.requests
    steps.push(round(run.gateway_cpu_us / Math.max(1, run.requests), 1))
    const [previous, last] = steps.slice(-2)
    if (requests >= flags.warmupRequests && steps.length >= 2 && Math.abs(last - previous) <= 0.1 * previous) {
      return {steady: true, requests, cpu_us_per_request: steps}
    }
  }
  log(`warm-up: ${mode} gateway not steady after ${flags.warmupSteps} steps (CPU per request ${steps.join(' → ')} µs)`)
  return {steady: false, requests, cpu_us_per_request: steps}
}

async function runStandard(bench) {
  const {flags} = bench
  const out = {modes: {}, one_connection: {}}

  out.warmup = {}
  for (const mode of flags.modes) {
    log(`warm-up: ${mode} direct, ${flags.warmup} s`)
    await bench.load('direct', mode, flags.warmup, `warm-up ${mode} direct`)
    out.warmup[mode] = await warmUpGateway(bench, mode)
    if (bench.baseline) {
      log(`warm-up: ${mode} baseline proxy, ${flags.warmup} s`)
      await bench.load('baseline', mode, flags.warmup, `warm-up ${mode} baseline`)
    }
  }
  // The footprint of a gateway at rest after traffic: once it has compacted its heap (see `IDLE_WAIT_S`).
  log(`idle: waiting ${IDLE_WAIT_S} s for the gateway to come to rest`)
  await sleep(IDLE_WAIT_S * 1000)
  const rssIdle = await bench.gatewayMeter.rss()
  const heapIdle = await bench.heapState()
  const idleBefore = await bench.cpu()
  await sleep(2000)
  const idleCpuPerSecond = cpuDelta(idleBefore, await bench.cpu()).gateway_cpu_us / 2

  const sampler = sampleRss(() => bench.gatewayMeter.rss(), 100)
  const baselineSampler = bench.baselineMeter ? sampleRss(() => bench.baselineMeter.rss(), 100) : null
  const loadTargets = bench.baseline ? ['direct', 'gateway', 'baseline'] : ['direct', 'gateway']
  for (const mode of flags.modes) {
    const runs = {direct: [], gateway: [], baseline: []}
    for (let round = 1; round <= flags.rounds; round++) {
      for (const target of loadTargets) {
        log(
          `measure: ${mode} ${target}, round ${round}/${flags.rounds}, ${flags.duration} s, ${flags.connections} connections`,
        )
        runs[target].push(await bench.load(target, mode, flags.duration, `measure ${mode} ${target} round ${round}`))
      }
    }
    out.modes[mode] = summarizeMode(runs)
  }

  for (const mode of flags.modes) {
    log(`one connection: ${mode}, ${flags.sequential} sequential requests per target, direct and gateway interleaved`)
    const targets = loadTargets.map((name) => {
      const t = bench.targets[name]
      const anthropic = t.api === 'messages'
      return {
        name,
        url: t.url,
        headers: t.headers,
        body: bodyFor(t, mode === 'stream', bench.messages),
        stream: mode === 'stream',
        ...(anthropic ? {streamEnd: 'message_stop', bodyMark: '"content"'} : {}),
      }
    })
    let before
    const sequential = await runWorker(
      {mode: 'sequential', targets, requests: flags.sequential, warmup: 200, blocks: 10},
      async () => {
        before = await bench.cpu()
      },
    )
    const end = await bench.cpu()
    const cpu = cpuDelta(before, end)
    bench.assertAlive()
    bench.windows.push([before.at, end.at])
    bench.windowRequests += sequential.targets.gateway.requests
    const {direct, gateway, baseline} = sequential.targets
    for (const [name, figures] of Object.entries(sequential.targets)) {
      if (figures.errors > 0)
        bench.failures.push(`one connection ${mode} ${name}: ${figures.errors} failed requests (${figures.last_error})`)
    }
    out.one_connection[mode] = {
      direct,
      gateway,
      added_p50_ms: gateway.latency_ms.p50 - direct.latency_ms.p50,
      added_p99_ms: gateway.latency_ms.p99 - direct.latency_ms.p99,
      added_first_data_p50_ms: mode === 'stream' ? gateway.first_data_ms.p50 - direct.first_data_ms.p50 : null,
      added_first_data_p99_ms: mode === 'stream' ? gateway.first_data_ms.p99 - direct.first_data_ms.p99 : null,
      // The gateway is idle while the direct requests run, so its CPU over the run is its cost for its own requests.
      cpu_us_per_request: cpu.gateway_cpu_us / Math.max(1, gateway.requests),
      baseline: baseline ? addedOver(direct, baseline, mode, cpu.baseline_cpu_us) : null,
    }
  }
  const samples = await sampler.stop()
  const baselineSamples = baselineSampler ? await baselineSampler.stop() : null
  const loadEnded = Date.now()
  const rssPeak = Math.max(...samples.map(([, bytes]) => bytes))

  let rssAfter = null
  let heapAfter = null
  if (!flags.skipIdleWait) {
    await sleep(Math.max(0, AFTER_LOAD_WAIT_S * 1000 - (Date.now() - loadEnded)))
    rssAfter = await bench.gatewayMeter.rss()
    heapAfter = await bench.heapState()
  }
  bench.assertAlive()
  out.memory = {
    rss_start_mb: bench.rssStart / MB,
    rss_idle_mb: rssIdle / MB,
    rss_peak_mb: rssPeak / MB,
    rss_after_mb: rssAfter === null ? null : rssAfter / MB,
    heap_idle: heapIdle,
    heap_after: heapAfter,
    after_wait_s: flags.skipIdleWait ? null : AFTER_LOAD_WAIT_S,
    after_skipped: flags.skipIdleWait,
    peak_samples: samples.length,
    idle_cpu_us_per_s: idleCpuPerSecond,
    baseline: baselineSamples
      ? {
          rss_start_mb: bench.baselineRssStart / MB,
          rss_peak_mb: Math.max(...baselineSamples.map(([, bytes]) => bytes)) / MB,
        }
      : null,
  }
  return out
}

/** A one-connection target's figures and what it adds over the direct requests (the baseline proxy's). */
function addedOver(direct, target, mode, cpuUs) {
  return {
    ...target,
    added_p50_ms: target.latency_ms.p50 - direct.latency_ms.p50,
    added_p99_ms: target.latency_ms.p99 - direct.latency_ms.p99,
    added_first_data_p50_ms: mode === 'stream' ? target.first_data_ms.p50 - direct.first_data_ms.p50 : null,
    cpu_us_per_request: cpuUs / Math.max(1, target.requests),
  }
}

/** The sum of `key` over the runs divided by their requests. */
function perRequest(list, key) {
  return (
    list.reduce((sum, r) => sum + r[key], 0) /
    Math.max(
      1,
      list.reduce((sum, r) => sum + r.requests, 0),
    )
  )
}

/** Averages of the rounds of one mode, and the gateway's cost against the direct runs. */
function summarizeMode(runs) {
  const side = (list) => ({
    rounds: list,
    rps: mean(list.map((r) => r.rps)),
    requests: list.reduce((sum, r) => sum + r.requests, 0),
    latency_ms: {p50: mean(list.map((r) => r.latency_ms.p50)), p99: mean(list.map((r) => r.latency_ms.p99))},
    gateway_cpu_us_per_request: perRequest(list, 'gateway_cpu_us'),
    gateway_cpu_user_us_per_request: perRequest(list, 'gateway_cpu_user_us'),
    gateway_cpu_system_us_per_request: perRequest(list, 'gateway_cpu_system_us'),
    upstream_cpu_us_per_request: list[0].upstream_cpu_us === null ? null : perRequest(list, 'upstream_cpu_us'),
  })
  const direct = side(runs.direct)
  const gateway = side(runs.gateway)
  const baseline = runs.baseline.length > 0 ? side(runs.baseline) : null
  return {
    baseline: baseline && {
      rps: baseline.rps,
      rps_ratio: baseline.rps / direct.rps,
      requests: baseline.requests,
      latency_ms: baseline.latency_ms,
      cpu_us_per_request: perRequest(runs.baseline, 'baseline_cpu_us'),
      cpu_user_us_per_request: perRequest(runs.baseline, 'baseline_cpu_user_us'),
      cpu_system_us_per_request: perRequest(runs.baseline, 'baseline_cpu_system_us'),
      upstream_cpu_us_per_request: baseline.upstream_cpu_us_per_request,
      rounds: runs.baseline,
    },
    direct,
    gateway,
    rps_ratio: gateway.rps / direct.rps,
    added_p50_ms: gateway.latency_ms.p50 - direct.latency_ms.p50,
    added_p99_ms: gateway.latency_ms.p99 - direct.latency_ms.p99,
    cpu_us_per_request: gateway.gateway_cpu_us_per_request,
    cpu_user_us_per_request: gateway.gateway_cpu_user_us_per_request,
    cpu_system_us_per_request: gateway.gateway_cpu_system_us_per_request,
  }
}

/**
 * The routing micro-benchmark as a child process (its own JSON output). It runs before the services start, so that
 * nothing else on the machine (the gateway's garbage collection after the load, the load generator) runs with it.
 */
async function runRouting(failures) {
  try {
    const text = await new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [ROUTING_BENCH, '--json'], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('close', (code) =>
        code === 0 ? resolvePromise(stdout) : reject(new Error(`exit ${code}: ${stderr.trim().slice(-500)}`)),
      )
    })
    return JSON.parse(text.trim().split('\n').at(-1))
  } catch (error) {
    failures.push(`routing benchmark failed: ${error.message}`)
    return null
  }
}

async function runSoak(bench) {
  const {flags} = bench
  const warmup = {}
  for (const mode of ['json', 'stream']) warmup[mode] = await warmUpGateway(bench, mode)
  await sleep(IDLE_WAIT_S * 1000)
  const rssIdle = await bench.gatewayMeter.rss()
  const t = bench.targets.gateway
  log(
    `soak: ${flags.soak} s at ${flags.rate} requests/s over ${flags.connections} connections, non-streaming and streaming alternating`,
  )
  const sampler = sampleRss(() => bench.gatewayMeter.rss(), 5000)
  const run = await bench.load('gateway', 'json', flags.soak, 'soak', {
    overallRate: flags.rate,
    requests: [{body: bodyFor(t, false, bench.messages)}, {body: bodyFor(t, true, bench.messages)}],
  })
  const samples = (await sampler.stop()).map(([ms, bytes]) => [ms / 1000, bytes / MB])
  const loadEnded = Date.now()
  // The first fifth is the ramp (JIT, pools, heap growing to its working size): the trend is fitted after it.
  const rampEnd = flags.soak * 0.2
  const steady = samples.filter(([s]) => s >= rampEnd)
  const fit = linearFit(steady)
  // Median of the first and of the second half of the samples after the ramp: growth that a GC sawtooth cannot fake.
  const half = Math.floor(steady.length / 2)
  const growth =
    half > 0
      ? quantile(
          steady.slice(half).map(([, mb]) => mb),
          0.5,
        ) -
        quantile(
          steady.slice(0, half).map(([, mb]) => mb),
          0.5,
        )
      : null
  let rssAfter = null
  if (!flags.skipIdleWait) {
    log(`waiting ${AFTER_LOAD_WAIT_S} s after the load`)
    await sleep(Math.max(0, AFTER_LOAD_WAIT_S * 1000 - (Date.now() - loadEnded)))
    rssAfter = await bench.gatewayMeter.rss()
  }
  bench.assertAlive()
  const values = samples.map(([, mb]) => mb)
  return {
    warmup,
    soak: {
      duration_s: flags.soak,
      rate: flags.rate,
      connections: flags.connections,
      requests: run.requests,
      rps: run.rps,
      errors: run.errors + run.timeouts + run.non_2xx,
      latency_ms: run.latency_ms,
      cpu_us_per_request: run.gateway_cpu_us / Math.max(1, run.requests),
      rss_samples: samples.map(([s, mb]) => [round(s, 1), round(mb, 2)]),
      rss_first_mb: values[0],
      rss_last_mb: values.at(-1),
      rss_max_mb: Math.max(...values),
      trend_from_s: rampEnd,
      rss_slope_mb_per_min: fit ? fit.slope * 60 : null,
      rss_fit_r2: fit ? fit.r2 : null,
      rss_growth_mb: growth,
    },
    memory: {
      rss_start_mb: bench.rssStart / MB,
      rss_idle_mb: rssIdle / MB,
      rss_peak_mb: Math.max(...values),
      rss_after_mb: rssAfter === null ? null : rssAfter / MB,
      after_wait_s: flags.skipIdleWait ? null : AFTER_LOAD_WAIT_S,
      after_skipped: flags.skipIdleWait,
    },
  }
}

/** The flat figures the targets are checked against. */
function figuresOf(results) {
  const f = {}
  const {modes, one_connection: one, memory, routing, soak} = results
  if (modes?.json) {
    f.json_cpu_us = modes.json.cpu_us_per_request
    f.json_rps_ratio = modes.json.rps_ratio
  }
  if (modes?.stream) {
    f.stream_cpu_us = modes.stream.cpu_us_per_request
    f.stream_rps_ratio = modes.stream.rps_ratio
  }
  if (one?.json) f.added_p50_one_connection_ms = one.json.added_p50_ms
  if (one?.stream) f.added_first_chunk_ms = one.stream.added_first_data_p50_ms
  if (memory) {
    f.rss_idle_mb = memory.rss_idle_mb
    f.rss_peak_mb = memory.rss_peak_mb
    f.rss_after_mb = memory.rss_after_mb
  }
  if (routing?.routing) {
    f.routing_2kb_p99_us = routing.routing['2kb']?.p99_us
    f.routing_100kb_p99_us = routing.routing['100kb']?.p99_us
  }
  if (soak) {
    // A slope the line barely explains (r² < 0.3) is a GC sawtooth, not a trend.
    f.soak_rss_trend_mb_per_min = soak.rss_fit_r2 !== null && soak.rss_fit_r2 < 0.3 ? 0 : soak.rss_slope_mb_per_min
    f.soak_errors = soak.errors
  }
  return f
}

/** `json 3348 → 1779 → 765 → 654 µs (steady)`: the gateway's CPU per request over the warm-up steps. */
function printWarmup(warmup) {
  const parts = Object.entries(warmup ?? {}).map(
    ([mode, w]) =>
      `${mode} ${w.cpu_us_per_request.map((v) => Math.round(v)).join(' → ')} µs${w.steady ? ' (steady)' : ' (NOT steady: figures below are pessimistic)'}`,
  )
  if (parts.length > 0) print(`\nwarm-up, gateway CPU per request at each step: ${parts.join('; ')}`)
}

function printStandard(results, checks) {
  const {settings, modes, one_connection: one, memory, routing} = results
  printWarmup(results.warmup)
  const names = {
    json: 'non-streaming chat',
    stream: `streaming chat (${results.setup.direct.stream_events} data events)`,
  }
  for (const mode of settings.modes) {
    const m = modes[mode]
    const b = m.baseline
    // With --baseline, a last column: the minimal proxy's figures (its own CPU in the CPU row).
    const extra = (cell) => (b ? [cell(b)] : [])
    print(
      `\n${names[mode]}, ${settings.connections} connections, ${settings.duration_s} s × ${settings.rounds} rounds (mean of rounds)`,
    )
    print(
      table([
        ['', 'direct', 'gateway', 'gateway − direct', 'target', ...extra(() => 'minimal proxy')],
        [
          'requests/s',
          int(m.direct.rps),
          int(m.gateway.rps),
          `${num(100 * m.rps_ratio, 1)} % of direct`,
          verdict(checks, `${mode}_rps_ratio`),
          ...extra((x) => `${int(x.rps)} (${num(100 * x.rps_ratio, 1)} %)`),
        ],
        [
          'latency p50',
          num(m.direct.latency_ms.p50, 1, 'ms'),
          num(m.gateway.latency_ms.p50, 1, 'ms'),
          signed(m.added_p50_ms, 1, 'ms'),
          '',
          ...extra((x) => num(x.latency_ms.p50, 1, 'ms')),
        ],
        [
          'latency p99',
          num(m.direct.latency_ms.p99, 1, 'ms'),
          num(m.gateway.latency_ms.p99, 1, 'ms'),
          signed(m.added_p99_ms, 1, 'ms'),
          '',
          ...extra((x) => num(x.latency_ms.p99, 1, 'ms')),
        ],
        [
          'gateway CPU / request',
          '',
          num(m.cpu_us_per_request, 0, 'µs'),
          `user ${num(m.cpu_user_us_per_request, 0)} + system ${num(m.cpu_system_us_per_request, 0)}`,
          verdict(checks, `${mode}_cpu_us`),
          ...extra((x) => num(x.cpu_us_per_request, 0, 'µs')),
        ],
        [
          'upstream CPU / request',
          num(m.direct.upstream_cpu_us_per_request, 0, 'µs'),
          num(m.gateway.upstream_cpu_us_per_request, 0, 'µs'),
          '',
          '',
          ...extra((x) => num(x.upstream_cpu_us_per_request, 0, 'µs')),
        ],
      ]),
    )
  }
  print(`\none connection, ${settings.sequential} sequential requests per target (high-resolution timing)`)
  const rows = [
    [
      '',
      'direct p50',
      'gateway p50',
      'added p50',
      'direct p99',
      'gateway p99',
      'added p99',
      'gateway CPU/req',
      'target',
    ],
  ]
  if (one.json) {
    const o = one.json
    rows.push([
      'non-streaming, whole answer',
      num(o.direct.latency_ms.p50, 3, 'ms'),
      num(o.gateway.latency_ms.p50, 3, 'ms'),
      signed(o.added_p50_ms, 3, 'ms'),
      num(o.direct.latency_ms.p99, 3, 'ms'),
      num(o.gateway.latency_ms.p99, 3, 'ms'),
      signed(o.added_p99_ms, 3, 'ms'),
      num(o.cpu_us_per_request, 0, 'µs'),
      verdict(checks, 'added_p50_one_connection_ms'),
    ])
  }
  if (one.stream) {
    const o = one.stream
    rows.push([
      'streaming, first data: chunk',
      num(o.direct.first_data_ms.p50, 3, 'ms'),
      num(o.gateway.first_data_ms.p50, 3, 'ms'),
      signed(o.added_first_data_p50_ms, 3, 'ms'),
      num(o.direct.first_data_ms.p99, 3, 'ms'),
      num(o.gateway.first_data_ms.p99, 3, 'ms'),
      signed(o.added_first_data_p99_ms, 3, 'ms'),
      '',
      verdict(checks, 'added_first_chunk_ms'),
    ])
    rows.push([
      'streaming, whole stream',
      num(o.direct.latency_ms.p50, 3, 'ms'),
      num(o.gateway.latency_ms.p50, 3, 'ms'),
      signed(o.added_p50_ms, 3, 'ms'),
      num(o.direct.latency_ms.p99, 3, 'ms'),
      num(o.gateway.latency_ms.p99, 3, 'ms'),
      signed(o.added_p99_ms, 3, 'ms'),
      num(o.cpu_us_per_request, 0, 'µs'),
      '',
    ])
  }
  // With --baseline, the minimal proxy's rows: its figures stand in the gateway's columns.
  for (const [mode, label] of [
    ['json', 'minimal proxy: whole answer'],
    ['stream', 'minimal proxy: first data: chunk'],
  ]) {
    const o = one[mode]
    const x = o?.baseline
    if (!x) continue
    const first = mode === 'stream'
    const p = (figures, q) => num((first ? figures.first_data_ms : figures.latency_ms)[q], 3, 'ms')
    rows.push([
      label,
      p(o.direct, 'p50'),
      p(x, 'p50'),
      signed(first ? x.added_first_data_p50_ms : x.added_p50_ms, 3, 'ms'),
      p(o.direct, 'p99'),
      p(x, 'p99'),
      first ? '' : signed(x.added_p99_ms, 3, 'ms'),
      num(x.cpu_us_per_request, 0, 'µs'),
      '',
    ])
  }
  print(table(rows))
  printMemory(memory, checks)
  if (settings.baseline) {
    print(
      '\nminimal proxy: bench/lib/baseline-proxy.js, the same Fastify, undici and Node with no routing, audit log or metrics (the floor of the stack)',
    )
  }
  if (routing?.routing) {
    print('\nrouting decision (decideRoute: classification + selection), bench/routing.mjs')
    print(
      table([
        ['', 'median', 'p99', 'target'],
        ...['2kb', '100kb'].map((size) => [
          `${size === '2kb' ? '2 KB' : '100 KB'} chat request`,
          num(routing.routing[size].median_us, 1, 'µs'),
          num(routing.routing[size].p99_us, 1, 'µs'),
          verdict(checks, `routing_${size}_p99_us`),
        ]),
        ...(routing.routing_history
          ? [
              [
                "coding agent's turn, cold",
                num(routing.routing_history.cold.median_us, 1, 'µs'),
                num(routing.routing_history.cold.p99_us, 1, 'µs'),
                '',
              ],
              [
                '  history read at the turns before',
                num(routing.routing_history.history.median_us, 1, 'µs'),
                num(routing.routing_history.history.p99_us, 1, 'µs'),
                '',
              ],
            ]
          : []),
      ]),
    )
  }
}

function printMemory(memory, checks) {
  print('\ngateway memory (RSS)')
  print(
    table([
      ['after start', num(memory.rss_start_mb, 1, 'MB'), '', ''],
      [
        'idle after warm-up',
        num(memory.rss_idle_mb, 1, 'MB'),
        verdict(checks, 'rss_idle_mb'),
        heapNote(memory.heap_idle),
      ],
      ['peak under load', num(memory.rss_peak_mb, 1, 'MB'), verdict(checks, 'rss_peak_mb'), ''],
      [
        `${AFTER_LOAD_WAIT_S} s after the load`,
        memory.after_skipped ? 'skipped' : num(memory.rss_after_mb, 1, 'MB'),
        memory.after_skipped ? '(--skip-idle-wait)' : verdict(checks, 'rss_after_mb'),
        heapNote(memory.heap_after),
      ],
      ...(memory.baseline
        ? [
            ['minimal proxy after start', num(memory.baseline.rss_start_mb, 1, 'MB'), '', ''],
            ['minimal proxy peak under load', num(memory.baseline.rss_peak_mb, 1, 'MB'), '', ''],
          ]
        : []),
    ]),
  )
}

/** `heap 28 MB (young 1 MB), 2 compactions so far` from `Bench.heapState()`. */
function heapNote(heap) {
  if (!heap || heap.heap_mb === null) return ''
  const compactions =
    heap.compactions === null ? '' : `, ${heap.compactions} compaction${heap.compactions === 1 ? '' : 's'} so far`
  return `heap ${Math.round(heap.heap_mb)} MB (young ${Math.round(heap.young_generation_mb ?? 0)} MB)${compactions}`
}

function printSoak(results, checks) {
  const {soak, memory} = results
  printWarmup(results.warmup)
  print(
    `\nsoak: ${soak.duration_s} s at ${soak.rate} requests/s target, ${soak.connections} connections, non-streaming and streaming alternating`,
  )
  print(
    table([
      ['requests', int(soak.requests), `${int(soak.rps)} /s`],
      ['errors (incl. timeouts, non-2xx)', int(soak.errors), verdict(checks, 'soak_errors')],
      ['latency p50 / p99', `${num(soak.latency_ms.p50, 1)} / ${num(soak.latency_ms.p99, 1)} ms`, ''],
      ['gateway CPU / request', num(soak.cpu_us_per_request, 0, 'µs'), ''],
      [
        'RSS first / max / last sample',
        `${num(soak.rss_first_mb, 1)} / ${num(soak.rss_max_mb, 1)} / ${num(soak.rss_last_mb, 1)} MB`,
        '',
      ],
      [
        `RSS trend after ${Math.round(soak.trend_from_s)} s (linear fit)`,
        `${signed(soak.rss_slope_mb_per_min, 3, 'MB/min')} (r² ${num(soak.rss_fit_r2, 2)})`,
        verdict(checks, 'soak_rss_trend_mb_per_min'),
      ],
      ['RSS median, second half − first half after the ramp', signed(soak.rss_growth_mb, 1, 'MB'), ''],
    ]),
  )
  printMemory(memory, checks)
}

function print(text) {
  process.stdout.write(text + '\n')
}

function log(text) {
  process.stderr.write(`bench: ${text}\n`)
}

async function auditLogSize(path) {
  const dir = dirname(path)
  const base = path.slice(dir.length + 1)
  let bytes = 0
  let files = 0
  for (const name of await readdir(dir).catch(() => [])) {
    if (name !== base && !name.startsWith(base + '.')) continue
    bytes += (await stat(join(dir, name))).size
    files++
  }
  return {files, bytes}
}

function machine() {
  const list = cpus()
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? 'unknown',
    memory_gb: round(totalmem() / 1024 ** 3, 1),
    platform: `${process.platform} ${release()}`,
    node: process.version,
    load_average_before: loadavg().map((v) => round(v, 2)),
  }
}

async function main() {
  let flags
  try {
    flags = parseFlags(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}`)
    return 2
  }
  if (flags.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (!existsSync(join(ROOT, 'dist', 'gateway', 'server.js')) || !existsSync(join(ROOT, 'oclif.manifest.json'))) {
    process.stderr.write('bench: dist/ is missing: run `npm run build` first.\n')
    return 2
  }
  const startedAt = new Date()
  const stamp = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')
  const outPath = resolve(flags.out ?? join(ROOT, 'bench', 'results', `${stamp}.json`))
  const dir = await mkdtemp(join(tmpdir(), 'router-bench-'))
  const profileDir = join(dir, 'profile')
  const results = {
    version: 1,
    started_at: startedAt.toISOString(),
    machine: machine(),
    settings: {
      mode: flags.soak ? 'soak' : 'standard',
      duration_s: flags.soak ?? flags.duration,
      connections: flags.connections,
      rounds: flags.rounds,
      modes: flags.soak ? ['json', 'stream'] : flags.modes,
      warmup_step_s: flags.warmup,
      warmup_steps_max: flags.warmupSteps,
      warmup_requests: flags.warmupRequests,
      sequential: flags.sequential,
      rate: flags.soak ? flags.rate : null,
      messages_bytes: messagesBytes(conversation(flags.documentKb, flags.conversation)),
      conversation: flags.conversation,
      api: flags.api,
      document_kb: flags.documentKb,
      load_tool: `autocannon ${JSON.parse(readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version}`,
      meter: HAS_PROC ? '/proc/PID/stat and /proc/PID/status' : 'process.cpuUsage() and memoryUsage() over IPC',
      profile: flags.profile,
      baseline: flags.baseline,
      gateway_node_options: flags.nodeOptions,
    },
  }
  const m = results.machine
  print(`Open-LLM Router gateway benchmark: ${m.cpus} × ${m.cpu_model}, ${m.platform}, Node ${m.node}`)
  print(
    `load average before the run: ${m.load_average_before.join(' ')}${m.load_average_before[0] > m.cpus * 0.5 ? '  (the machine is busy: expect noisy figures)' : ''}`,
  )

  if (flags.redis) {
    const {runSharedStateBench} = await import('./shared-state.mjs')
    return runSharedStateBench(flags, {dir, outPath, print})
  }
  if (flags.sessions) {
    const {runSessionsBench} = await import('./sessions.mjs')
    try {
      return await runSessionsBench(flags, {dir, outPath, print})
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  }
  if (flags.nodeOptions.length > 0) print(`gateway Node options: ${flags.nodeOptions.join(' ')}`)
  if (flags.api === 'messages') {
    print(
      "api: Anthropic's Messages API through the gateway (POST /v1/messages, translated to chat completions for the upstream); straight to the upstream, chat completions",
    )
  }
  if (flags.documentKb > 0 || flags.conversation !== 'chat') {
    const kind = flags.conversation === 'agent' ? "a coding agent's turn" : 'a chat'
    const pasted = flags.documentKb > 0 ? `, a ${flags.documentKb} KB document pasted into the last turn` : ''
    print(`conversation: ${kind}, ${(results.settings.messages_bytes / 1024).toFixed(0)} KB of messages${pasted}`)
  }

  const routingFailures = []
  let routing = null
  if (!flags.soak) {
    log('routing decision timings (bench/routing.mjs), before the upstream and the gateway start')
    routing = await runRouting(routingFailures)
  }

  let upstream
  let gateway
  let baseline = null
  let bench
  let fatal = null
  try {
    upstream = await startUpstream()
    const nodeArgs = [...flags.nodeOptions, ...(flags.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])]
    gateway = await startGateway({dir, upstreamUrl: upstream.url, nodeArgs})
    log(
      `upstream ${upstream.url} (pid ${upstream.pid}), gateway ${gateway.url} (pid ${gateway.pid}), audit log ${gateway.auditPath}`,
    )
    if (flags.baseline) {
      baseline = await startBaseline({upstreamUrl: upstream.url})
      log(`baseline proxy ${baseline.url} (pid ${baseline.pid})`)
    }
    bench = new Bench(flags, upstream, gateway, baseline)
    await sleep(1000)
    bench.rssStart = await bench.gatewayMeter.rss()
    if (bench.baselineMeter) bench.baselineRssStart = await bench.baselineMeter.rss()
    results.setup = await checkSetup(bench.targets, bench.messages)
    Object.assign(results, flags.soak ? await runSoak(bench) : await runStandard(bench))
  } catch (error) {
    fatal = error
  }
  if (routing) results.routing = routing
  const failures = [...routingFailures, ...(bench?.failures ?? [])]
  if (fatal) failures.push(`aborted: ${fatal.message}`)
  for (const service of [gateway, baseline, upstream]) {
    if (!service) continue
    const alreadyDead = service.unexpectedExit !== null
    const code = await service.stop()
    if (!alreadyDead && code !== 0)
      failures.push(
        `${service.name} exited with code ${code} when asked to stop\n${service.stderr.trim().slice(-2000)}`,
      )
  }
  if (gateway) results.audit_log = await auditLogSize(gateway.auditPath)
  if (gateway && results.audit_log.bytes === 0 && !fatal)
    failures.push('the gateway wrote no audit log: it must be on while measuring')
  if (flags.profile && gateway) {
    const file = (await readdir(profileDir).catch(() => [])).find((name) => name.endsWith('.cpuprofile'))
    if (file) {
      const saved = outPath.replace(/\.json$/, '') + '.gateway.cpuprofile'
      await mkdir(dirname(saved), {recursive: true})
      await copyFile(join(profileDir, file), saved)
      const profile = JSON.parse(readFileSync(saved, 'utf8'))
      const summary = summarizeProfile(profile, {windows: bench.windows})
      results.profile = {
        path: saved,
        requests: bench.windowRequests,
        busy_us_per_request: summary.busyUs / Math.max(1, bench.windowRequests),
        self: summary.self.slice(0, 40),
        areas: summary.areas.slice(0, 25),
        inclusive: summary.inclusive.slice(0, 40),
      }
      results.profile_text = formatSummary(summary, {top: 30, requests: bench.windowRequests})
    } else {
      failures.push('--profile: the gateway wrote no .cpuprofile')
    }
  }
  await rm(dir, {recursive: true, force: true})

  results.finished_at = new Date().toISOString()
  results.machine.load_average_after = loadavg().map((v) => round(v, 2))
  results.figures = figuresOf(results)
  results.targets = evaluateTargets(results.figures)
  results.failures = failures
  results.ok = failures.length === 0

  if (results.soak) printSoak(results, results.targets)
  else if (results.modes && results.memory) printStandard(results, results.targets)
  if (results.profile_text) {
    print(
      `\ngateway CPU profile over the measured gateway runs (${results.profile.path}; figures above include the profiler's overhead)`,
    )
    print(results.profile_text)
  }
  if (results.targets.length > 0) {
    const met = results.targets.filter((t) => t.ok).length
    print(`\ntargets (information only, never a failure): ${met} of ${results.targets.length} met`)
  }
  await mkdir(dirname(outPath), {recursive: true})
  await writeFile(outPath, JSON.stringify(results, null, 2) + '\n')
  print(`results: ${outPath}`)
  if (failures.length > 0) {
    print(`\nFAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`)
    return 1
  }
  return 0
}

// Never leave a gateway or a simulator behind: not on an error, not on Ctrl-C, not when stdout goes away.
process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping\n`)
    killAll()
    process.exit(130)
  })
}
process.stdout.on('error', () => {
  killAll()
  process.exit(1)
})

process.exitCode = await main()
