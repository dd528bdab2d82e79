/**
 * `npm run bench -- --redis`: two gateway replicas sharing one redis-server (started here on a free loopback port),
 * in front of the zero-latency upstream. Every request carries a managed key with every counted limit set (budgets,
 * rpm, tpm, concurrency), so each one is admitted by the Redis store; a second key without limits goes through the
 * same replicas without the admission (its spend is added after the answer, like every key's). Reports:
 * - throughput per replica, both replicas loaded at once (limited key), and the same without the checks (free key);
 * - Redis commands per request (from Redis's own INFO commandstats), by command;
 * - the added latency of the Redis-backed checks: one connection, one request at a time, the limited and the free
 *   key interleaved on the same replica, p50 and p90 of each and their difference;
 * - the floor under that difference: one Redis round trip on this machine (`PING` on one connection, from this
 *   process), which no check made in Redis can go below.
 * See docs/benchmark.md ("Shared state on Redis").
 */
import {spawn, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {dirname, join} from 'node:path'
import {performance} from 'node:perf_hooks'

import Redis from 'ioredis'
import {request} from 'undici'

import {int, num, table} from './lib/report.js'
import {chatBody, distinctRequests, MESSAGES} from './lib/requests.js'
import {startGateway, startUpstream} from './lib/services.js'
import {quantile} from './lib/stats.js'
import {runWorker} from './lib/worker.js'

const LIMITED_KEY = 'olr_bench-limited-key-0000000000000000000000000'
const FREE_KEY = 'olr_bench-free-key-000000000000000000000000000000'
/** Commands that only the store's Lua scripts run (src/gateway/shared-state/redis.ts) while the benchmark loads it. */
const SCRIPT_COMMANDS = new Set([
  'get',
  'mget',
  'incr',
  'incrby',
  'pexpire',
  'zadd',
  'zcard',
  'zrem',
  'zremrangebyscore',
])

/** Runs the mode; returns the exit code (1 when requests failed). */
export async function runSharedStateBench(flags, {dir, outPath, print}) {
  const redis = await startRedis(flags)
  const services = []
  const failures = []
  try {
    const upstream = await startUpstream()
    services.push(upstream)
    const keysFile = join(dir, 'keys.json')
    await writeFile(keysFile, JSON.stringify(keysDocument(), null, 2))
    const env = {ROUTER_STATE_URL: redis.url, ROUTER_KEYS_FILE: keysFile, INGRESS_AUTH_REQUIRED: 'true'}
    const replicas = await Promise.all(
      [1, 2].map((n) => startGateway({dir, upstreamUrl: upstream.url, env, name: `replica-${n}`})),
    )
    services.push(...replicas)
    // Every request a new question (see distinctRequests): the same one again would be a client's retry.
    const body = chatBody('auto', false, distinctRequests(MESSAGES))
    const target = (replica, key) => ({
      url: `${replica.url}/v1/chat/completions`,
      headers: {'content-type': 'application/json', authorization: `Bearer ${key}`},
      body,
    })
    for (const replica of replicas) {
      for (const key of [LIMITED_KEY, FREE_KEY]) {
        const t = target(replica, key)
        const response = await request(t.url, {method: 'POST', headers: t.headers, body})
        const text = await response.body.text()
        if (response.statusCode !== 200)
          throw new Error(`setup: ${replica.url} answered ${response.statusCode}: ${text.slice(0, 300)}`)
      }
    }
    const connections = Math.max(1, Math.floor(flags.connections / 2))
    const both = async (key, duration, label) => {
      const before = redis.commands()
      const results = await Promise.all(
        replicas.map((r) => runWorker({mode: 'autocannon', ...target(r, key), connections, duration})),
      )
      const after = redis.commands()
      results.forEach((r, i) => {
        const bad = r.errors + r.timeouts + r.non_2xx
        if (bad > 0)
          failures.push(
            `${label}, replica ${i + 1}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non_2xx} non-2xx of ${r.requests}`,
          )
      })
      const requests = results.reduce((sum, r) => sum + r.requests, 0)
      // Redis counts the commands its scripts run too: those are not round trips, so they are reported apart.
      const sent = {}
      const inScripts = {}
      for (const [name, calls] of Object.entries(after)) {
        const delta = calls - (before[name] ?? 0)
        if (delta > 0 && name !== 'info') (SCRIPT_COMMANDS.has(name) ? inScripts : sent)[name] = delta / requests
      }
      return {
        rps: results.map((r) => r.rps),
        latency_ms: results.map((r) => r.latency_ms),
        requests,
        commands_per_request: sent,
        script_commands_per_request: inScripts,
      }
    }
    print(
      `bench --redis: 2 replicas on redis ${redis.version} at ${redis.url} (scheduling priority ${redis.priority}), ${connections} connections each, ${flags.duration} s per run`,
    )
    await both(LIMITED_KEY, flags.warmup, 'warm-up')
    await both(FREE_KEY, flags.warmup, 'warm-up')
    const limited = await both(LIMITED_KEY, flags.duration, 'with checks')
    const free = await both(FREE_KEY, flags.duration, 'without checks')
    const sequential = await runWorker({
      mode: 'sequential',
      targets: [
        {name: 'limited', ...target(replicas[0], LIMITED_KEY), stream: false},
        {name: 'free', ...target(replicas[0], FREE_KEY), stream: false},
      ],
      requests: flags.sequential,
      warmup: 200,
      blocks: 10,
    })
    for (const [name, t] of Object.entries(sequential.targets))
      if (t.errors > 0) failures.push(`one connection, ${name}: ${t.errors} errors (${t.last_error})`)
    const seq = sequential.targets
    const added = {
      p50: seq.limited.latency_ms.p50 - seq.free.latency_ms.p50,
      p90: seq.limited.latency_ms.p90 - seq.free.latency_ms.p90,
    }
    const roundTrip = await redisRoundTrip(redis.url, flags.sequential)

    const sum = (figures) => Object.values(figures).reduce((a, b) => a + b, 0)
    const describe = (figures) =>
      Object.entries(figures)
        .map(([n, v]) => `${n} ${num(v, 2)}`)
        .join(', ') || 'none'
    const perRequest = sum(limited.commands_per_request)
    print('')
    print(
      table([
        ['', 'replica 1', 'replica 2', 'total'],
        ['req/s with the Redis checks', int(limited.rps[0]), int(limited.rps[1]), int(limited.rps[0] + limited.rps[1])],
        ['req/s without (key without limits)', int(free.rps[0]), int(free.rps[1]), int(free.rps[0] + free.rps[1])],
        [
          'p50 latency under load, with / without (ms)',
          `${limited.latency_ms[0].p50} / ${free.latency_ms[0].p50}`,
          `${limited.latency_ms[1].p50} / ${free.latency_ms[1].p50}`,
          '',
        ],
      ]),
    )
    print('')
    print(
      `Redis commands sent per request, with the checks: ${num(perRequest, 2)} (${describe(limited.commands_per_request)}); run inside its scripts: ${describe(limited.script_commands_per_request)}`,
    )
    print(
      `Redis commands sent per request, key without limits: ${num(sum(free.commands_per_request), 2)} (${describe(free.commands_per_request)})`,
    )
    print(
      `One connection, ${flags.sequential} requests each: p50 ${num(seq.limited.latency_ms.p50, 3)} ms with the checks, ${num(seq.free.latency_ms.p50, 3)} ms without: ` +
        `added ${num(added.p50, 3)} ms at p50 (target ≤ 0.2 ms), ${num(added.p90, 3)} ms at p90`,
    )
    print(
      `One Redis round trip on this machine (PING, one connection, ${flags.sequential} times): p50 ${num(roundTrip.p50, 3)} ms, p90 ${num(roundTrip.p90, 3)} ms; ` +
        `the checks add ${num(added.p50 - roundTrip.p50, 3)} ms at p50 beyond it`,
    )
    const results = {
      version: 1,
      mode: 'redis',
      started_at: new Date().toISOString(),
      redis: redis.version,
      redis_priority: redis.priority,
      connections_per_replica: connections,
      duration_s: flags.duration,
      limited,
      free,
      sequential: seq,
      added_latency_ms: added,
      redis_round_trip_ms: roundTrip,
      failures,
    }
    await mkdir(dirname(outPath), {recursive: true})
    await writeFile(outPath, JSON.stringify(results, null, 2) + '\n')
    print(`results: ${outPath}`)
  } finally {
    for (const service of services) await service.stop()
    await redis.stop()
  }
  if (failures.length > 0) {
    print(`\nFAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`)
    return 1
  }
  return 0
}

/**
 * p50 and p90 of `count` PINGs, one at a time on one connection, after 200 not timed: what one round trip to this
 * Redis costs on this machine, scheduling included (in ms).
 */
async function redisRoundTrip(url, count) {
  const client = new Redis(url, {lazyConnect: true, maxRetriesPerRequest: 1})
  await client.connect()
  try {
    for (let i = 0; i < 200; i++) await client.ping()
    const times = []
    for (let i = 0; i < count; i++) {
      const start = performance.now()
      await client.ping()
      times.push(performance.now() - start)
    }
    return {p50: quantile(times, 0.5), p90: quantile(times, 0.9)}
  } finally {
    client.disconnect()
  }
}

/** The keys file: one key with every counted limit (set high enough never to refuse), one without any. */
function keysDocument() {
  const now = new Date().toISOString()
  const sha256 = (key) => createHash('sha256').update(key).digest('hex')
  return {
    schema_version: 1,
    keys: [
      {
        name: 'limited',
        sha256: sha256(LIMITED_KEY),
        hint: 'olr_…0000',
        created_at: now,
        revoked_at: null,
        limits: {budget_usd_day: 1e6, budget_usd_month: 1e7, rpm: 1e9, tpm: 1e12, max_concurrency: 1e6},
      },
      {name: 'free', sha256: sha256(FREE_KEY), hint: 'olr_…0000', created_at: now, revoked_at: null, limits: {}},
    ],
  }
}

/** redis-server on a free port of 127.0.0.1, without persistence (at a higher priority where allowed). */
async function startRedis(flags) {
  if (spawnSync('redis-server', ['--version'], {stdio: 'ignore'}).status !== 0) {
    throw new Error('redis-server is not installed; --redis needs it: apt-get install -y redis-server')
  }
  const port = await new Promise((resolve, reject) => {
    const server = createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port: free} = server.address()
      server.close(() => resolve(free))
    })
  })
  // In production Redis has a CPU of its own; on a machine shared with other work it waits for one, and the figures
  // would measure that wait. Where allowed (root), it runs at a higher scheduling priority, and the report says so.
  const nice = spawnSync('nice', ['-n', '-15', 'true']).status === 0 && !flags.redisNoPriority
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  const child = nice
    ? spawn('nice', ['-n', '-15', 'redis-server', ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    : spawn('redis-server', args, {stdio: ['ignore', 'pipe', 'pipe']})
  const kill = () => child.kill('SIGKILL')
  process.on('exit', kill)
  await new Promise((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      if (output.includes('Ready to accept connections')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}: ${output}`)))
  })
  const cli = (...args) => spawnSync('redis-cli', ['-p', String(port), ...args], {encoding: 'utf8'}).stdout
  return {
    url: `redis://127.0.0.1:${port}`,
    priority: nice ? 'nice -15' : 'normal',
    version: /redis_version:(\S+)/.exec(cli('INFO', 'server'))?.[1] ?? 'unknown',
    /** Calls per command so far (INFO commandstats). */
    commands() {
      const out = {}
      for (const match of cli('INFO', 'commandstats').matchAll(/^cmdstat_(\S+):calls=(\d+)/gm))
        out[match[1]] = Number(match[2])
      return out
    },
    async stop() {
      process.off('exit', kill)
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
