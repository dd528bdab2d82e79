/**
 * What the coding-agent tests share: a `router sim` process and a `router serve` process in front of it with one
 * account of each upstream kind, a tripwire proxy that records any attempt of a CLI to reach the internet, the
 * instructions of docs/provider-adapters.md as the tests run them, and a way to run a CLI to completion.
 *
 * The gateway's profile sends `auto` to Anthropic (every route's default) and serves the other kinds by their model
 * names, so one gateway covers the four upstream kinds: OpenAI's Responses API as is, the ChatGPT backend, Anthropic's
 * Messages API, and a chat-only provider (Gemini) that gets every request translated.
 */
import {spawn} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import type {SimRequestRecord} from '../../src/sim/index.js'
import {fakeJwt} from '../helpers/chatgpt-token.js'
import {startCli} from '../helpers/run-cli.js'
import {startSimProcess, type SimProcess} from '../helpers/sim-process.js'

/** The upstream kinds, the model the gateway routes each to, and the name a CLI sends to reach it. */
export const UPSTREAMS = {
  openai: {label: 'OpenAI', model: 'openai/gpt-5.2', clientModel: 'openai/gpt-5.2'},
  chatgpt: {
    label: 'the ChatGPT backend (openai-codex)',
    model: 'openai-codex/gpt-5.2',
    clientModel: 'openai-codex/gpt-5.2',
  },
  anthropic: {label: 'Anthropic', model: 'anthropic/claude-sonnet-4.5', clientModel: 'auto'},
  chat: {
    label: 'a chat-only provider (Gemini)',
    model: 'gemini/gemini-2.5-flash',
    clientModel: 'gemini/gemini-2.5-flash',
  },
} as const

export type UpstreamKind = keyof typeof UPSTREAMS

/**
 * The simulator paths each upstream kind is reached on, by the API the client speaks: Codex's Responses requests go
 * to OpenAI and the ChatGPT backend as they are and to the others as chat completions (Anthropic: as Messages), Claude
 * Code's Messages requests to Anthropic as they are and to the others as chat completions (the ChatGPT backend: as
 * Responses).
 */
export const UPSTREAM_PATHS: Record<UpstreamKind, {responses: string; messages: string}> = {
  openai: {responses: '/v1/responses', messages: '/v1/chat/completions'},
  chatgpt: {responses: '/backend-api/codex/responses', messages: '/backend-api/codex/responses'},
  anthropic: {responses: '/v1/messages', messages: '/v1/messages'},
  chat: {responses: '/v1/chat/completions', messages: '/v1/chat/completions'},
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DOCS = join(ROOT, 'docs/provider-adapters.md')

/** The word the tool round trip carries from a file in the agent's folder to the sim and into the CLI's answer. */
export const SECRET = 'pelican'

export interface AgentStack {
  sim: SimProcess
  /** `http://127.0.0.1:PORT` of the gateway. */
  gatewayUrl: string
  /** The ingress key the CLIs send (the gateway has no ingress auth: any value works). */
  routerKey: string
  /** `http://127.0.0.1:PORT` of the tripwire proxy the CLIs are pointed at for everything but loopback. */
  proxyUrl: string
  /** The first line of every connection the tripwire received (`CONNECT host:443 HTTP/1.1`). */
  internetAttempts: string[]
  /** The audit events written so far. */
  audit(): Promise<AuditEvent[]>
  /** A fresh temp folder (removed with the stack). */
  tempDir(prefix: string): Promise<string>
  close(): Promise<void>
}

/** The gateway config: one account per upstream kind on the simulator, `auto` routed to Anthropic. */
function gatewayConfig(simUrl: string): string {
  const token = fakeJwt({'https://api.openai.com/auth': {chatgpt_account_id: 'acct-agents'}})
  return `
default_model: ${UPSTREAMS.anthropic.model}
models:
  ${UPSTREAMS.openai.model}: {}
  ${UPSTREAMS.chatgpt.model}: {}
  ${UPSTREAMS.anthropic.model}: {}
  ${UPSTREAMS.chat.model}: {}
accounts:
  - {name: openai, provider: openai, base_url: ${simUrl}/v1, api_key: sk-sim-openai, models: [${UPSTREAMS.openai.model}]}
  - name: chatgpt
    provider: openai-codex
    base_url: ${simUrl}
    auth_mode: oauth
    oauth_access_token: ${token}
    oauth_refresh_token: refresh-agents
    oauth_expires_at: ${Date.now() + 24 * 3_600_000}
    models: [${UPSTREAMS.chatgpt.model}]
  - {name: claude, provider: anthropic, base_url: ${simUrl}/v1, api_key: sk-ant-sim, models: [${UPSTREAMS.anthropic.model}]}
  - {name: gemini, provider: gemini, base_url: ${simUrl}/v1, api_key: gemini-sim, models: [${UPSTREAMS.chat.model}]}
task_routes:
  general: {default: [${UPSTREAMS.anthropic.model}]}
fallback_models: []
`
}

/** Starts the simulator, the gateway and the tripwire. */
export async function startAgentStack(): Promise<AgentStack> {
  const dir = await mkdtemp(join(tmpdir(), 'router-agents-'))
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, {recursive: true, force: true})]
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  }
  try {
    const tripwire = await startTripwire()
    cleanups.push(() => new Promise((resolve) => tripwire.server.close(resolve)))
    const sim = await startSimProcess(['--quiet', '--name', 'agents'])
    cleanups.push(() => sim.close())
    const configPath = join(dir, 'router.yaml')
    await writeFile(configPath, gatewayConfig(sim.url))
    const auditPath = join(dir, 'audit.jsonl')
    const gateway = await startGatewayProcess(configPath, dir, auditPath)
    cleanups.push(gateway.close)
    let temps = 0
    return {
      sim,
      gatewayUrl: gateway.url,
      routerKey: 'router-key-agents',
      proxyUrl: tripwire.url,
      internetAttempts: tripwire.attempts,
      audit: async () => {
        const text = await readFile(auditPath, 'utf8').catch(() => '')
        return text
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as AuditEvent)
      },
      tempDir: async (prefix) => mkdtemp(join(dir, `${prefix}${++temps}-`)),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** `router serve` on a free port, resolved once it says where it listens. */
function startGatewayProcess(
  configPath: string,
  dir: string,
  auditPath: string,
): Promise<{url: string; close: () => Promise<unknown>}> {
  const child = startCli(['serve', '--config', configPath, '--host', '127.0.0.1', '--port', '0', '--no-tui'], {
    cwd: dir,
    env: {HOME: dir, ROUTER_AUDIT_LOG_PATH: auditPath, ROUTER_CREDENTIALS_PATH: join(dir, 'credentials.json')},
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    return exited
  }
  return new Promise((resolve, reject) => {
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`router serve did not listen within 20 s\n${stderr}`))
    }, 20_000)
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match) {
        clearTimeout(timer)
        resolve({url: match[1], close})
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`router serve exited with ${code} before listening\n${stderr}`))
    })
  })
}

/**
 * A proxy that lets nothing through: the CLIs get it as `HTTPS_PROXY`/`HTTP_PROXY` (loopback excepted), so that a
 * request to the internet fails at once instead of hanging without network, and is recorded for the test to see.
 */
async function startTripwire(): Promise<{server: Server; url: string; attempts: string[]}> {
  const attempts: string[] = []
  const server = createServer((socket: Socket) => {
    socket.once('data', (chunk) => {
      attempts.push(chunk.toString('latin1').split('\r\n')[0])
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  return {server, url: `http://127.0.0.1:${port}`, attempts}
}

/** The environment every CLI run gets: nothing from the caller's shell but PATH, and the tripwire as proxy. */
export function cliEnvironment(stack: AgentStack, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    HTTPS_PROXY: stack.proxyUrl,
    HTTP_PROXY: stack.proxyUrl,
    ALL_PROXY: stack.proxyUrl,
    NO_PROXY: '127.0.0.1,localhost',
  }
}

/**
 * A fenced block of docs/provider-adapters.md, the one after `<!-- agent-test: NAME -->`, with the documented
 * gateway address replaced by the test gateway's.
 */
export async function docsBlock(name: string, gatewayUrl: string): Promise<string> {
  const docs = await readFile(DOCS, 'utf8')
  const marker = `<!-- agent-test: ${name} -->`
  const at = docs.indexOf(marker)
  if (at === -1) throw new Error(`docs/provider-adapters.md has no ${marker}`)
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(docs.slice(at + marker.length))
  if (block === null) throw new Error(`docs/provider-adapters.md: no fenced block after ${marker}`)
  return block[1].replaceAll('http://localhost:8000', gatewayUrl)
}

/** The variables of a documented shell block's `export NAME=value …` lines (`"$NAME"` taken from `vars`). */
export function exportedVariables(block: string, vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of block.split('\n')) {
    const code = line.replace(/\s+#.*$/, '').trim()
    if (!code.startsWith('export ')) continue
    for (const word of code.slice('export '.length).trim().split(/\s+/)) {
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word)
      if (match === null) throw new Error(`cannot read the documented assignment ${JSON.stringify(word)}`)
      out[match[1]] = match[2]
        .replace(/^"(.*)"$/, '$1')
        .replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name: string) => vars[name] ?? '')
    }
  }
  return out
}

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a CLI to its end (or kills it after `timeoutMs`), with stdin closed. */
export function runToEnd(
  command: string,
  args: string[],
  options: {cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`${command} could not start: ${error.message}`))
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

/** The tool results a request carries, in any protocol's shape (chat, Responses, Anthropic). */
export function toolResults(record: SimRequestRecord): string[] {
  const body = record.body as Record<string, any> | undefined
  const text = (value: unknown): string =>
    typeof value === 'string'
      ? value
      : Array.isArray(value)
        ? value.map((part) => (typeof part === 'string' ? part : (part?.text ?? ''))).join('')
        : ''
  const out: string[] = []
  for (const message of body?.messages ?? []) {
    if (message.role === 'tool') out.push(text(message.content))
    if (Array.isArray(message.content))
      for (const block of message.content) if (block?.type === 'tool_result') out.push(text(block.content))
  }
  for (const item of Array.isArray(body?.input) ? body.input : []) {
    if (item?.type === 'function_call_output') out.push(text(item.output))
  }
  return out
}

/** The requests of one API that the audit log records as answered by `model`. */
export function servedBy(events: AuditEvent[], endpoint: string, model: string): AuditEvent[] {
  return events.filter(
    (event) =>
      event.event === 'proxy_terminal' &&
      event.endpoint === endpoint &&
      event.outcome === 'success' &&
      event.model === model,
  )
}
