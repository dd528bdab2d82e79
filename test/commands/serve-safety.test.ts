/**
 * `router serve` as a real process, on the two things an operator must be able to trust: where it listens (this
 * machine only unless told otherwise, and a warning when it is exposed without ingress auth), and its audit log (a
 * path that cannot be written stops the start with the fix; a disk that refuses writes degrades the gateway, visibly,
 * without a torn line).
 */
import {execFileSync, spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {connect} from 'node:net'
import {networkInterfaces, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {RUN_JS, startCli} from '../helpers/run-cli.js'

interface Served {
  child: ChildProcessWithoutNullStreams
  stderr: () => string
  url: string
  exit: Promise<number | null>
}

let dir: string
let sim: SimServer
let config: string
const running: Served[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-serve-safety-'))
  sim = await startSim({name: 'upstream'})
  config = join(dir, 'router.yaml')
  await writeFile(
    config,
    `default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
accounts:
  - {name: upstream, provider: openai, base_url: ${sim.url}, api_key: sk-test-safety}
task_routes:
  general: {default: [openai/gpt-5-mini]}
`,
  )
})

afterEach(() => {
  for (const served of running.splice(0)) served.child.kill('SIGKILL')
})

afterAll(async () => {
  await sim?.close()
  await rm(dir, {recursive: true, force: true})
})

/** A clean environment (nothing from the caller's shell) plus `env`. */
function environment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {HOME: dir, ROUTER_AUDIT_LOG_PATH: join(dir, 'audit.jsonl'), ...env}
}

/** Spawns `router serve ARGS` (through `sh -c` with `shell` in front, e.g. a ulimit) and waits for its listening line. */
function serve(args: string[], options: {env?: NodeJS.ProcessEnv; shell?: string} = {}): Promise<Served> {
  const command = ['serve', '--config', config, '--port', '0', '--no-tui', ...args]
  const child = options.shell
    ? // The CLI itself, with a shell command (a ulimit) in front: `sh` runs it, then becomes the CLI.
      spawn('sh', ['-c', `${options.shell}; exec "$@"`, 'sh', process.execPath, RUN_JS, ...command], {
        cwd: dir,
        env: {PATH: process.env.PATH, NODE_OPTIONS: '', ...environment(options.env ?? {})},
      })
    : startCli(command, {cwd: dir, env: environment(options.env ?? {})})
  let stderr = ''
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match && stderr.includes('router: config')) {
        const served = {child, stderr: () => stderr, url: match[1], exit}
        running.push(served)
        resolve(served)
      }
    })
    void exit.then((code) => reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`)))
  })
}

/** Runs `router serve ARGS` expecting it to stop before listening; its exit code and stderr. */
async function failToServe(env: NodeJS.ProcessEnv): Promise<{code: number | null; stderr: string}> {
  const child = startCli(['serve', '--config', config, '--port', '0', '--no-tui'], {cwd: dir, env: environment(env)})
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  return {code, stderr}
}

/** An IPv4 address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) if (address.family === 'IPv4' && !address.internal) return address.address
  }
  return undefined
}

/** Whether a TCP connection to `host:port` is accepted. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function chat(url: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hello'}]}),
  })
}

describe('where router serve listens', () => {
  it('listens on 127.0.0.1 by default, says so, and cannot be reached from another interface', async () => {
    const served = await serve([])
    const port = Number(new URL(served.url).port)
    expect(served.stderr()).toMatch(new RegExp(`listening on http://127\\.0\\.0\\.1:${port} \\(this machine only\\)`))
    expect(served.stderr()).not.toContain('router: warning')
    expect((await chat(served.url)).status).toBe(200)
    const external = externalAddress()
    if (external !== undefined) expect(await reachable(external, port)).toBe(false)
  })

  it.each([
    ['--host 0.0.0.0', ['--host', '0.0.0.0'], {}],
    ['HOST=0.0.0.0', [], {HOST: '0.0.0.0'}],
  ])('with %s prints the address it really binds and warns that ingress auth is off', async (_name, args, env) => {
    const served = await serve(args, {env})
    const port = Number(new URL(served.url).port)
    expect(served.url).toBe(`http://0.0.0.0:${port}`)
    expect(served.stderr()).toContain(`router: warning: listening on http://0.0.0.0:${port} with ingress auth off`)
    expect(served.stderr()).toContain('INGRESS_AUTH_REQUIRED=true')
    const external = externalAddress()
    if (external !== undefined) expect(await reachable(external, port)).toBe(true)
  })

  it('does not warn when ingress auth protects an exposed gateway', async () => {
    const served = await serve(['--host', '0.0.0.0'], {
      env: {INGRESS_AUTH_REQUIRED: 'true', INGRESS_API_KEYS: 'team:0123456789abcdef0123'},
    })
    expect(served.stderr()).toContain('ingress auth on')
    expect(served.stderr()).not.toContain('router: warning')
  })
})

describe('an audit log path that cannot be written', () => {
  it('stops the start with exit code 2 when the path is a folder, naming it and the fix', async () => {
    const folder = join(dir, 'a-folder.jsonl')
    await mkdir(folder, {recursive: true})
    const {code, stderr} = await failToServe({ROUTER_AUDIT_LOG_PATH: folder})
    expect(code).toBe(2)
    expect(stderr).toContain(`Cannot write the audit log ${folder}: it is a folder`)
    expect(stderr).toContain('ROUTER_AUDIT_LOG_PATH')
    expect(stderr).not.toContain('listening')
    expect(stderr).not.toMatch(/EEXIST|EISDIR|\n\s+at /)
  })

  it('stops the start when a parent of the path is a file', async () => {
    await writeFile(join(dir, 'not-a-folder'), 'x')
    const path = join(dir, 'not-a-folder', 'logs', 'audit.jsonl')
    const {code, stderr} = await failToServe({ROUTER_AUDIT_LOG_PATH: path})
    expect(code).toBe(2)
    expect(stderr).toContain(`Cannot write the audit log ${path}: a part of its folder path is a file, not a folder`)
    expect(stderr).not.toMatch(/EEXIST|ENOTDIR/)
  })

  it('stops the start on a read-only file system', async (context) => {
    const source = join(dir, 'ro-source')
    const readOnly = join(dir, 'ro')
    await mkdir(source, {recursive: true})
    await mkdir(readOnly, {recursive: true})
    try {
      execFileSync('mount', ['--bind', source, readOnly], {stdio: 'ignore'})
    } catch {
      // Mounting needs privileges this machine may not give the tests.
      context.skip()
    }
    try {
      execFileSync('mount', ['-o', 'remount,ro,bind', readOnly], {stdio: 'ignore'})
      const path = join(readOnly, 'audit.jsonl')
      const {code, stderr} = await failToServe({ROUTER_AUDIT_LOG_PATH: path})
      expect(code).toBe(2)
      expect(stderr).toContain(`Cannot write the audit log ${path}: it is on a read-only file system`)
    } finally {
      execFileSync('umount', [readOnly], {stdio: 'ignore'})
    }
  })
})

describe('an audit log the disk stops taking', () => {
  it('reports degraded in /health and Prometheus, never leaves a torn line, and a restart writes on after the last whole line', async () => {
    const path = join(dir, 'limited', 'audit.jsonl')
    // A file size limit of 32 blocks (16 or 32 KB): a write that crosses it is cut short, then refused (EFBIG), as a
    // disk that fills up mid-write. Node ignores SIGXFSZ, so the process lives on.
    const served = await serve([], {env: {ROUTER_AUDIT_LOG_PATH: path}, shell: 'ulimit -f 32'})
    await vi.waitFor(
      async () => {
        await Promise.all(Array.from({length: 10}, () => chat(served.url).then((r) => r.text())))
        const health = (await (await fetch(`${served.url}/health`)).json()) as {
          status: string
          audit_log: {state: string; write_errors: number}
        }
        expect(health).toMatchObject({status: 'degraded', audit_log: {state: 'failing'}})
        expect(health.audit_log.write_errors).toBeGreaterThan(0)
      },
      {timeout: 20_000, interval: 50},
    )
    // Answers still flow while the log cannot keep them.
    expect((await chat(served.url)).status).toBe(200)
    const metrics = await (await fetch(`${served.url}/metrics`)).text()
    expect(metrics).toMatch(/^router_audit_log_failing 1$/m)
    expect(metrics).toMatch(/^router_audit_log_write_errors_total [1-9]\d*$/m)
    expect(served.stderr()).toMatch(/router: warning: audit log: cannot write .*audit\.jsonl: .*EFBIG/)

    served.child.kill('SIGTERM')
    expect(await served.exit).toBe(0)
    const text = await readFile(path, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow()

    // Restarted without the limit, the gateway appends whole lines after the last whole one.
    const before = (await stat(path)).size
    const again = await serve([], {env: {ROUTER_AUDIT_LOG_PATH: path}})
    const id = (await chat(again.url)).headers.get('x-router-request-id')!
    const health = (await (await fetch(`${again.url}/health`)).json()) as {status: string}
    expect(health.status).toBe('ok')
    await vi.waitFor(async () => expect(await readFile(path, 'utf8')).toContain(id))
    const after = await readFile(path, 'utf8')
    expect(after.length).toBeGreaterThan(before)
    for (const line of after.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow()
  })
})
