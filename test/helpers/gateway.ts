/**
 * Starts a real gateway on 127.0.0.1:0 for tests, from a YAML config text, with the audit log in a temp folder and
 * every published audit event collected in memory. Circuit breakers and the config watch are off unless a test turns
 * them on.
 *
 * `gatewayTest()` is the one fixture of a gateway test file: simulated providers and upstreams written for the test,
 * the gateway in front of them and `chat()` / `post()` helpers, set up once per file (Vitest's `test.extend` with
 * `scope: 'file'`) and closed after its last test, and `startGateway()` for a further gateway in one test.
 * `gatewayConfig()` builds the config text.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import type {IncomingHttpHeaders} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {request} from 'undici'
import {test} from 'vitest'
import {stringify} from 'yaml'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import type {AuditEvent} from '../../src/core/audit/schema.js'
import {parseConfig} from '../../src/core/config/load.js'
import type {GatewaySettings} from '../../src/core/settings/schema.js'
import {startGateway, type RunningGateway, type StartGatewayOptions} from '../../src/gateway/server.js'
import {startSim, type SimOptions, type SimServer} from '../../src/sim/index.js'

export interface TestGateway extends RunningGateway {
  events: AuditEvent[]
  /** Events of one request, in order. */
  eventsFor(requestId: string): AuditEvent[]
  /** Resolves when the request's `proxy_terminal` event has been published. */
  terminal(requestId: string): Promise<Extract<AuditEvent, {event: 'proxy_terminal'}>>
  auditPath: string
  /** The temp folder (config file, audit log, runtime overrides). */
  dir: string
  /** The config file (written only with `writeConfig`). */
  configPath: string
}

/** A config with one model, `openai/gpt-5-mini`, served by one simulator account at `simUrl`, for every request. */
export function oneSimModelConfig(simUrl: string): string {
  return gatewayConfig({
    models: ['openai/gpt-5-mini'],
    accounts: [simAccount('sim', {url: simUrl}, {models: ['openai/gpt-5-mini']})],
  })
}

/** How `startTestGateway` starts a gateway besides its config. */
export interface TestGatewayOptions {
  settings?: Partial<GatewaySettings>
  env?: NodeJS.ProcessEnv
  /** Write the config to `configPath` and reload from it (hot reload tests). */
  writeConfig?: boolean
  /** A folder to use instead of a new temp folder (kept on close). */
  dir?: string
  gateway?: Partial<StartGatewayOptions>
}

export async function startTestGateway(yaml: string, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'router-gw-')))
  const file = join(dir, 'router.yaml')
  if (options.writeConfig) await writeFile(file, yaml)
  const config = parseConfig(yaml, file, {env: options.env ?? {}})
  // As `router serve` makes it: events are delivered on the next turn of the event loop.
  const bus = new AuditEventBus({deferred: true})
  const events: AuditEvent[] = []
  const waiters = new Map<string, Array<(e: AuditEvent) => void>>()
  bus.subscribe((event) => {
    events.push(event)
    if (event.event === 'proxy_terminal') {
      for (const resolve of waiters.get(event.request_id) ?? []) resolve(event)
      waiters.delete(event.request_id)
    }
  })
  const auditPath = join(dir, 'logs', 'audit.jsonl')
  const starting = startGateway({
    config,
    bus,
    env: options.env ?? {},
    settings: {
      host: '127.0.0.1',
      port: 0,
      audit_log_path: auditPath,
      runtime_overrides_path: join(dir, 'logs', 'overrides.yaml'),
      config_watch: false,
      // Tests that script failure after failure would open breakers and change each other's routing; the breaker
      // tests turn them on.
      circuit_breaker_enabled: false,
      ...options.settings,
    },
    ...(options.writeConfig ? {reloadPath: file} : {}),
    ...options.gateway,
  })
  const gateway = await starting.catch(async (error: unknown) => {
    if (!options.dir) await rm(dir, {recursive: true, force: true})
    throw error
  })
  return {
    ...gateway,
    events,
    auditPath,
    dir,
    configPath: file,
    eventsFor: (id) => events.filter((e) => 'request_id' in e && e.request_id === id),
    terminal: (id) => {
      const done = events.find((e) => e.event === 'proxy_terminal' && e.request_id === id)
      if (done) return Promise.resolve(done as Extract<AuditEvent, {event: 'proxy_terminal'}>)
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? []
        list.push(resolve as (e: AuditEvent) => void)
        waiters.set(id, list)
      })
    },
    async close(closeOptions) {
      await gateway.close(closeOptions)
      if (!options.dir) await rm(dir, {recursive: true, force: true})
    },
  }
}

/** Empties a simulator's queue of scripted behaviours (`script()` appends; leftovers would leak into the next test). */
export async function clearScript(sim: {url: string}): Promise<void> {
  const {request} = await import('undici')
  const response = await request(`${sim.url}/_sim/script`, {method: 'DELETE'})
  await response.body.text()
}

/** A raw runtime config, as `gatewayConfig()` takes it: the YAML document's own keys. */
export interface GatewayConfigInput {
  /** Model keys, or model keys with their settings (`{latency_ms: 1000}`). */
  models: string[] | Record<string, Record<string, unknown>>
  accounts: Array<Record<string, unknown>>
  /** Default: the first model. */
  default_model?: string
  /** Default: `general` routes every request to the first model. */
  task_routes?: Record<string, Record<string, string[]>>
  [key: string]: unknown
}

/** The YAML of a raw runtime config, with `default_model` and a `general` route filled in from the first model. */
export function gatewayConfig(input: GatewayConfigInput): string {
  const models = Array.isArray(input.models) ? Object.fromEntries(input.models.map((key) => [key, {}])) : input.models
  const first = Object.keys(models)[0]
  const {models: _models, default_model, task_routes, ...rest} = input
  return stringify({
    default_model: default_model ?? first,
    models,
    ...rest,
    task_routes: task_routes ?? {general: {default: [first]}},
  })
}

/** An account of provider `openai` (by default) on a simulator, with a key the simulator accepts. */
export function simAccount(
  name: string,
  sim: {url: string},
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {name, provider: 'openai', base_url: `${sim.url}/v1`, api_key: `sk-${name}-000000`, ...fields}
}

/** A gateway's answer, read whole. */
export interface GatewayReply {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json(): any
  /** `x-router-request-id`. */
  id: string
}

/** The body `chat()` sends when given none. */
export const HELLO = {model: 'auto', messages: [{role: 'user', content: 'hello'}]}

/** POSTs `body` (JSON, or a string sent as it is) to `url + path`. */
export async function postJson(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<GatewayReply> {
  const response = await request(`${url}${path}`, {
    method: 'POST',
    headers: {'content-type': 'application/json', ...headers},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.body.text()
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    json: () => JSON.parse(text),
    id: response.headers['x-router-request-id'] as string,
  }
}

/** A server written for a test (a hostile upstream, an identity provider): what the fixture needs of it. */
export interface TestUpstream {
  /** Forgets recorded requests and queued answers (called between tests with `resetUpstreams`). */
  reset?(): void
  close(): Promise<void>
}

/** A further gateway for one test: its config (the file's by default) and how to start it. */
export interface ExtraGatewayOptions extends Omit<TestGatewayOptions, 'dir'> {
  /** The config text; by default the file's `config()`. */
  config?: string
}

/** What the functions of `P` start, by name. */
export type Started<P extends Record<string, () => Promise<TestUpstream>>> = {[K in keyof P]: Awaited<ReturnType<P[K]>>}

/** What `gatewayTest()` sets up for a file. */
export interface GatewayFixtures<S extends string, U extends Record<string, TestUpstream>> {
  /** The simulated providers, by name. */
  sims: Record<S, SimServer>
  /** The upstreams written for the test, by name. */
  upstreams: U
  gateway: TestGateway
  /** POST a path of the gateway. */
  post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<GatewayReply>
  /** POST /v1/chat/completions (`HELLO` when no body is given). */
  chat: (body?: unknown, headers?: Record<string, string>) => Promise<GatewayReply>
  /**
   * Starts another gateway in front of the same upstreams, for one test (other settings, a config file to reload, a
   * gateway to shut down). It is closed after the test; its folder (config, audit log) is kept until then, so that a
   * test can read what a gateway it closed wrote. A function is given that folder first, for files the gateway must
   * find at start.
   */
  startGateway: StartGateway
}

/** The `startGateway` fixture of `gatewayTest()`. */
export type StartGateway = (
  options?: ExtraGatewayOptions | ((dir: string) => ExtraGatewayOptions | Promise<ExtraGatewayOptions>),
) => Promise<TestGateway>

/**
 * The test API of a gateway test file: `sims` (each started with the options given for its name, `name` included),
 * `upstreams` (each started by its function), the gateway that `config({...sims, ...upstreams})` describes, and
 * `chat()` / `post()` to it. All are file-scoped: set up for the first test (or `beforeAll`) that asks for one, shared
 * by the file's tests, and closed after the last. `startGateway()` starts further gateways, closed after each test.
 * With `resetUpstreams`, every simulator's script and recorded requests, and every upstream's, are cleared after each
 * test. A file with two setups calls `gatewayTest()` twice; each starts only when a test asks for it.
 */
export function gatewayTest<
  S extends string = never,
  P extends Record<string, () => Promise<TestUpstream>> = Record<never, never>,
>(setup: {
  sims?: Record<S, Partial<SimOptions>>
  /** How to start each upstream, by name. */
  upstreams?: P
  config: (upstreams: Record<S, SimServer> & Started<P>) => string | Promise<string>
  /** A function is given the gateway's folder too, for files it must find at start (a keys file). */
  options?:
    | Omit<TestGatewayOptions, 'dir'>
    | ((
        upstreams: Record<S, SimServer> & Started<P>,
        dir: string,
      ) => Omit<TestGatewayOptions, 'dir'> | Promise<Omit<TestGatewayOptions, 'dir'>>)
  resetUpstreams?: boolean
}) {
  type U = Started<P>
  type Fixtures = GatewayFixtures<S, U>
  // What this file started, for the reset after each test (which must not start anything itself).
  const started: {sims: SimServer[]; upstreams: TestUpstream[]} = {sims: [], upstreams: []}
  const all = (sims: Record<S, SimServer>, upstreams: U) =>
    Object.assign({}, sims, upstreams) as Record<S, SimServer> & U
  return (
    test
      // Vitest reads a fixture's dependencies from the destructuring of its first argument: none here.
      // eslint-disable-next-line no-empty-pattern
      .extend('sims', {scope: 'file'}, async ({}, {onCleanup}) => {
        const sims = {} as Record<S, SimServer>
        onCleanup(async () => {
          await Promise.all(Object.values<SimServer>(sims).map((sim) => sim.close()))
        })
        for (const [name, options] of Object.entries<Partial<SimOptions>>(
          setup.sims ?? ({} as Record<S, Partial<SimOptions>>),
        )) {
          sims[name as S] = await startSim({name, port: 0, ...options})
          started.sims.push(sims[name as S])
        }
        return sims
      })
      // eslint-disable-next-line no-empty-pattern
      .extend('upstreams', {scope: 'file'}, async ({}, {onCleanup}) => {
        const upstreams = {} as U
        onCleanup(async () => {
          await Promise.all(Object.values<TestUpstream>(upstreams).map((upstream) => upstream.close()))
        })
        for (const [name, start] of Object.entries(setup.upstreams ?? {}) as Array<
          [keyof U, () => Promise<TestUpstream>]
        >) {
          upstreams[name] = (await start()) as U[keyof U]
          started.upstreams.push(upstreams[name])
        }
        return upstreams
      })
      .extend('gateway', {scope: 'file'}, async ({sims, upstreams}, {onCleanup}) => {
        const dir = await mkdtemp(join(tmpdir(), 'router-gw-'))
        // One cleanup per fixture: it closes the gateway, if it started, then removes its folder.
        const opened: TestGateway[] = []
        onCleanup(async () => {
          for (const gateway of opened) await gateway.close()
          await rm(dir, {recursive: true, force: true})
        })
        const options =
          typeof setup.options === 'function' ? await setup.options(all(sims, upstreams), dir) : setup.options
        const gateway = await startTestGateway(
          await setup.config(all(sims, upstreams)),
          Object.assign({}, options, {dir}),
        )
        opened.push(gateway)
        return gateway
      })
      .extend('post', {scope: 'file'}, ({gateway}): Fixtures['post'] => {
        return (path, body, headers) => postJson(gateway.url, path, body, headers)
      })
      .extend('chat', {scope: 'file'}, ({gateway}): Fixtures['chat'] => {
        return (body = HELLO, headers) => postJson(gateway.url, '/v1/chat/completions', body, headers)
      })
      .extend('startGateway', async ({sims, upstreams}, {onCleanup}): Promise<Fixtures['startGateway']> => {
        const gateways: TestGateway[] = []
        const dirs: string[] = []
        onCleanup(async () => {
          for (const gateway of gateways) await gateway.close({graceMs: 0})
          await Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true})))
        })
        return async (given = {}) => {
          const dir = await mkdtemp(join(tmpdir(), 'router-gw-'))
          dirs.push(dir)
          const {config, ...options} = typeof given === 'function' ? await given(dir) : given
          const gateway = await startTestGateway(
            config ?? (await setup.config(all(sims, upstreams))),
            Object.assign({}, options, {dir}),
          )
          gateways.push(gateway)
          return gateway
        }
      })
      // eslint-disable-next-line no-empty-pattern
      .extend('resetUpstreams', {auto: true}, async ({}, {onCleanup}) => {
        if (setup.resetUpstreams) {
          onCleanup(async () => {
            for (const sim of started.sims) {
              sim.clearRequests()
              await clearScript(sim)
            }
            for (const upstream of started.upstreams) upstream.reset?.()
          })
        }
      })
  )
}
