/**
 * The processes under test: the zero-latency upstream (`router sim --fast`) and the gateway (`router serve`), each
 * its own Node process on 127.0.0.1, started from this checkout's `bin/run.js` (the built `dist/`).
 */
import {spawn} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

import {HAS_PROC} from './procfs.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const RUN_JS = join(ROOT, 'bin', 'run.js')
const IPC_PROBE = join(ROOT, 'bench', 'lib', 'ipc-probe.js')
const BASELINE_JS = join(ROOT, 'bench', 'lib', 'baseline-proxy.js')

/** The model every route names, and the key the upstream requires (so the gateway's auth header is exercised). */
export const MODEL_KEY = 'openai/gpt-5-mini'
export const UPSTREAM_MODEL = 'gpt-5-mini'
export const UPSTREAM_KEY = 'sk-bench-upstream-key'

/** Services still running: killed when the harness exits for any reason (an error, Ctrl-C). */
const running = new Set()

/** Kills every service still running (SIGKILL; synchronous, so it works in an `exit` handler). */
export function killAll() {
  for (const service of running) service.child.kill('SIGKILL')
  running.clear()
}

/**
 * A child process we started and depend on. `exited` resolves with its exit code; `unexpectedExit` is set when it
 * exits before `stop()`.
 */
class Service {
  constructor(name, child) {
    this.name = name
    this.child = child
    this.stderr = ''
    this.stopping = false
    this.unexpectedExit = null
    running.add(this)
    child.stderr?.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8000)
    })
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(this)
        if (!this.stopping) this.unexpectedExit = {code, signal}
        resolve(code ?? (signal ? 128 : 1))
      })
    })
  }

  get pid() {
    return this.child.pid
  }

  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000) {
    this.stopping = true
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode ?? 1
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}

/** Resolves with the first line `match` accepts (its result), or rejects when the process exits or time runs out. */
function waitForLine(service, stream, match, what, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({input: stream})
    const timer = setTimeout(() => {
      lines.close()
      reject(new Error(`${service.name} did not report ${what} within ${timeoutMs / 1000} s\n${service.stderr}`))
    }, timeoutMs)
    void service.exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${service.name} exited with code ${code} before ${what}\n${service.stderr}`))
    })
    lines.on('line', (line) => {
      const result = match(line)
      if (result === undefined) return
      clearTimeout(timer)
      lines.close()
      resolve(result)
    })
  })
}

/** Starts `router sim --fast --json --quiet --port 0` and resolves with its URL once it listens. */
export function startUpstream() {
  return startSimulator(['--fast', '--name', 'bench', '--api-key', UPSTREAM_KEY])
}

/** Starts `router sim --json --quiet --host 127.0.0.1 --port 0 ARGS…` and resolves with its URL once it listens. */
export async function startSimulator(args) {
  const child = spawn(
    process.execPath,
    [RUN_JS, 'sim', '--json', '--quiet', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: baseEnv(),
    },
  )
  const service = new Service('router sim', child)
  service.url = await waitForLine(
    service,
    child.stdout,
    (line) => {
      try {
        const event = JSON.parse(line)
        return event.event === 'listening' ? event.url : undefined
      } catch {
        return undefined
      }
    },
    'its listening line',
  )
  // Keep reading stdout so that a chatty process never blocks on a full pipe.
  child.stdout.resume()
  return service
}

/** The raw runtime config of the benchmark: one account on the upstream, every route naming one model. */
export function gatewayConfig(upstreamUrl) {
  const route = `{default: [${MODEL_KEY}]}`
  return [
    `default_model: ${MODEL_KEY}`,
    'models:',
    `  ${MODEL_KEY}: {}`,
    'accounts:',
    '  - name: bench',
    '    provider: openai',
    `    base_url: ${upstreamUrl}/v1`,
    '    api_key_env: BENCH_UPSTREAM_KEY',
    `    models: [${MODEL_KEY}]`,
    'task_routes:',
    `  general: ${route}`,
    `  coding: ${route}`,
    `  thinking: ${route}`,
    `  instruction_following: ${route}`,
    `fallback_models: [${MODEL_KEY}]`,
    '',
  ].join('\n')
}

/**
 * Starts `router serve --no-tui` on 127.0.0.1:0 with its default settings (audit log on, into `dir`, named `name`),
 * the config written to `dir` (`config`, else `gatewayConfig(upstreamUrl)`), and resolves once it listens. `nodeArgs`
 * go before the script (e.g. `--cpu-prof`); `env` adds settings (a replica of `--redis` gets its `ROUTER_STATE_URL`);
 * `runJs` is another checkout's `bin/run.js` (`bench/compare.mjs`).
 */
export async function startGateway({
  dir,
  upstreamUrl,
  config,
  nodeArgs = [],
  env = {},
  name = 'router_decisions',
  runJs = RUN_JS,
}) {
  const configPath = join(dir, 'router.yaml')
  await writeFile(configPath, config ?? gatewayConfig(upstreamUrl))
  const auditPath = join(dir, 'logs', `${name}.jsonl`)
  const args = [...nodeArgs]
  if (!HAS_PROC) args.push('--import', IPC_PROBE)
  args.push(runJs, 'serve', '--config', configPath, '--host', '127.0.0.1', '--port', '0', '--no-tui')
  const child = spawn(process.execPath, args, {
    cwd: dir,
    // The per-request lines of a non-TTY `router serve` go where a service manager would send them: a file.
    stdio: ['ignore', 'ignore', 'pipe', ...(HAS_PROC ? [] : ['ipc'])],
    env: {...baseEnv(), HOME: dir, BENCH_UPSTREAM_KEY: UPSTREAM_KEY, ROUTER_AUDIT_LOG_PATH: auditPath, ...env},
  })
  const service = new Service('router serve', child)
  service.url = await waitForLine(
    service,
    child.stderr,
    (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1],
    'its listening line',
  )
  service.auditPath = auditPath
  service.configPath = configPath
  return service
}

/**
 * Starts the minimal Fastify + undici proxy of `--baseline` (`bench/lib/baseline-proxy.js`) in front of the upstream,
 * and resolves once it listens.
 */
export async function startBaseline({upstreamUrl}) {
  const args = []
  if (!HAS_PROC) args.push('--import', IPC_PROBE)
  args.push(BASELINE_JS, upstreamUrl, UPSTREAM_KEY)
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe', ...(HAS_PROC ? [] : ['ipc'])],
    env: baseEnv(),
  })
  const service = new Service('baseline proxy', child)
  service.url = await waitForLine(
    service,
    child.stderr,
    (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1],
    'its listening line',
  )
  return service
}

/** A clean environment: nothing from the caller's shell (HOST, PORT, ROUTING_CONFIG_PATH…) leaks into the run. */
function baseEnv() {
  return {PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', NO_COLOR: '1'}
}
