/**
 * The service behind `router route explain`: which config to explain against, how a prompt, a request file or a
 * JSON lines file becomes request bodies, and the dry-run decisions themselves. No upstream call is ever made.
 */
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'

import {parseDocument} from 'yaml'

import {builtinProfileConfig} from '../core/config/builtin-config.js'
import {loadConfig} from '../core/config/load.js'
import type {RuntimeConfig} from '../core/config/schema.js'
import {ConfigError, UsageError} from '../core/errors.js'
import {decideRoute} from '../core/routing/decide.js'
import {promptCacheTtlMs} from '../core/catalog/index.js'
import type {Endpoint, RoutingDecision, SessionState} from '../core/routing/schema.js'
import type {SessionKey} from '../core/routing/session.js'
import {resolveConfigFlag} from './config-flag.js'

/** `--endpoint` values and the endpoint each stands for. */
export const ENDPOINT_FLAGS = {
  chat: 'chat.completions',
  responses: 'responses',
  completions: 'completions',
  embeddings: 'embeddings',
  images: 'images.generations',
  messages: 'messages',
} as const satisfies Record<string, Endpoint>
export type EndpointFlag = keyof typeof ENDPOINT_FLAGS

/**
 * The endpoint an `--endpoint` value names: a short name (`responses`), the endpoint's own name (`chat.completions`)
 * or the path a client calls (`/v1/chat/completions`, `/chat/completions`). Throws a usage error listing them.
 */
export function parseEndpointFlag(value: string): Endpoint {
  const name = value
    .trim()
    .toLowerCase()
    .replace(/^\/?(v1\/)?/, '')
    .replace(/\/+$/, '')
  const short = ENDPOINT_FLAGS[name as EndpointFlag] as Endpoint | undefined
  if (short !== undefined) return short
  const named = Object.values(ENDPOINT_FLAGS).find(
    (endpoint) => endpoint === name || endpoint.replace('.', '/') === name,
  )
  if (named !== undefined) return named
  throw new UsageError(`unknown endpoint "${value}"`, {
    hint: `use one of ${Object.keys(ENDPOINT_FLAGS).join(', ')} (or a path such as /v1/responses)`,
  })
}

/** Throwaway decisions before the one shown (see `warmUp`). */
const WARM_UP_RUNS = 3

/** The built-in profile explained against when there is no config file at all. */
export const FALLBACK_PROFILE = 'auto'

/** What decisions are made against. */
export interface ExplainTarget {
  /** The config file; null when the built-in profile stands in for a missing one. */
  path: string | null
  config: RuntimeConfig
  /** Profile name reported in decisions (`custom` for a raw config). */
  profile: string | null
  /** Account checks are skipped when explaining against a built-in profile without accounts. */
  ignoreAccounts: boolean
  /** Lines to show before the output (e.g. that a built-in profile stands in for a missing file). */
  notes: string[]
}

/**
 * The config named by `--config`, else `$ROUTING_CONFIG_PATH`, else `./router.profile.yaml`. When none was named and
 * the default file does not exist, the built-in `auto` profile with every catalog model and no accounts stands in,
 * and a note says so. A named file that is missing or invalid is a `ConfigError` (exit code 2).
 */
export async function loadExplainTarget(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExplainTarget> {
  const {path, named} = resolveConfigFlag(flag, env)
  if (!named && !existsSync(path)) {
    return {
      path: null,
      config: builtinProfileConfig(FALLBACK_PROFILE),
      profile: FALLBACK_PROFILE,
      ignoreAccounts: true,
      notes: [
        `no config file (${path} does not exist): explaining against the built-in \`${FALLBACK_PROFILE}\` profile with every catalog model; account checks are skipped. Create one with \`router profile init\` or pass --config.`,
      ],
    }
  }
  const loaded = await loadConfig(path, {env})
  return {path, config: loaded.config, profile: loaded.profile ?? 'custom', ignoreAccounts: false, notes: []}
}

/** A request body for `prompt` on `endpoint`, as a client would send it. `model` defaults to `auto`. */
export function bodyFromPrompt(
  endpoint: Endpoint,
  prompt: string,
  options: {system?: string; model?: string} = {},
): Record<string, unknown> {
  const model = options.model ?? 'auto'
  switch (endpoint) {
    case 'responses':
      return {model, input: prompt, ...(options.system === undefined ? {} : {instructions: options.system})}
    case 'completions':
      return {model, prompt: options.system === undefined ? prompt : `${options.system}\n\n${prompt}`}
    case 'embeddings':
      return {model, input: prompt}
    case 'images.generations':
      return {model, prompt}
    case 'messages':
      return {
        model,
        max_tokens: 1024,
        messages: [{role: 'user', content: prompt}],
        ...(options.system === undefined ? {} : {system: options.system}),
      }
    default:
      return {
        model,
        messages: [
          ...(options.system === undefined ? [] : [{role: 'system', content: options.system}]),
          {role: 'user', content: prompt},
        ],
      }
  }
}

/**
 * Endpoints where `{"prompt": …}` is shorthand (unless the entry has the endpoint's own input field); completions and
 * image requests take `prompt` as it is.
 */
const PROMPT_SHORTHAND_UNLESS: Partial<Record<Endpoint, string>> = {
  'chat.completions': 'messages',
  messages: 'messages',
  responses: 'input',
  embeddings: 'input',
}

/**
 * The body a JSON lines entry stands for: a JSON string is a prompt; `{"prompt": …, "system"?: …}` without the
 * endpoint's own fields is a prompt too; any other object is a full request body. `model` (the `--model` flag)
 * replaces the body's model when given. Returns an error message for anything else.
 */
export function bodyFromEntry(value: unknown, endpoint: Endpoint, model?: string): Record<string, unknown> | string {
  if (typeof value === 'string') return bodyFromPrompt(endpoint, value, {model})
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'expected a request body (a JSON object), a {"prompt": …} object or a JSON string'
  }
  const record = value as Record<string, unknown>
  const ownField = PROMPT_SHORTHAND_UNLESS[endpoint]
  const shorthand = ownField !== undefined && typeof record.prompt === 'string' && !(ownField in record)
  if (shorthand) {
    const system = typeof record.system === 'string' ? record.system : undefined
    const body = bodyFromPrompt(endpoint, record.prompt as string, {system, model: model ?? stringOr(record.model)})
    const {prompt: _prompt, system: _system, model: _model, ...rest} = record
    return {...rest, ...body}
  }
  return model === undefined ? record : {...record, model}
}

/** Reads a request body from a JSON file; bad JSON is a `ConfigError` with the file, line and column. */
export async function readRequestFile(path: string): Promise<unknown> {
  const text = await readText(path, '--file')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw jsonError(path, text, error as Error)
  }
}

/** One entry of a JSON lines file: its 1-based line number, and its value or why it could not be read. */
export type JsonLine = {line: number; value: unknown} | {line: number; error: string}

/** Reads a JSON lines file (`-` for standard input); blank lines are skipped, unreadable lines reported. */
export async function readJsonLines(path: string): Promise<JsonLine[]> {
  const text = path === '-' ? await readStdinText() : await readText(path, '--input')
  const entries: JsonLine[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return
    try {
      entries.push({line: index + 1, value: JSON.parse(raw)})
    } catch (error) {
      entries.push({line: index + 1, error: `invalid JSON: ${(error as Error).message}`})
    }
  })
  return entries
}

/**
 * A throwaway decision on `body` (a short chat request by default), so that the `decision_ms` shown is what a warm
 * gateway pays for this request, not the one-off cost of loading the catalog, compiling the classifier's patterns and
 * optimising the code in a fresh process.
 */
export function warmUp(
  target: ExplainTarget,
  body: unknown = {model: 'auto', messages: [{role: 'user', content: 'hello'}]},
  endpoint: Endpoint = 'chat.completions',
): void {
  try {
    for (let i = 0; i < WARM_UP_RUNS; i++) explainBody(target, body, endpoint)
  } catch {
    // The real decision reports the error.
  }
}

/**
 * The dry-run decision for one body; with `session`, as the next turn of that session (see `sessionFromLog`), at
 * `now` (default: this moment, when its cache may well have gone cold).
 */
export function explainBody(
  target: ExplainTarget,
  body: unknown,
  endpoint: Endpoint,
  session?: {key: SessionKey; state: SessionState; now?: number},
): RoutingDecision {
  return decideRoute({body, endpoint}, target.config, {
    profile: target.profile,
    ignoreAccounts: target.ignoreAccounts,
    ...(session === undefined
      ? {}
      : {
          session: {
            key: session.key,
            state: session.state,
            now: session.now ?? Date.now(),
            cacheTtlMs: promptCacheTtlMs,
          },
        }),
  })
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(
      code === 'ENOENT'
        ? `${flag} ${path}: no such file`
        : `${flag} ${path}: cannot read it (${(error as Error).message})`,
      {
        hint:
          flag === '--file'
            ? 'pass a JSON file with one request body'
            : 'pass a JSON lines file: one request body or {"prompt": …} per line',
      },
    )
  }
}

/** All of standard input, as text (for `-` in place of a prompt or a file). */
export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function jsonError(file: string, text: string, error: Error): ConfigError {
  const {line, column} = jsonErrorPosition(text, error.message)
  const message = error.message
    .replace(/, (\.\.\.)?".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+( \(line \d+ column \d+\))?$/, '')
  return new ConfigError(`${file} is not valid JSON`, [{file, line, column, message}], {
    code: 'invalid_request_file',
    hint: 'the file must hold one JSON request body, e.g. {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}',
  })
}

/**
 * Line and column of a JSON syntax error. V8 gives a position for some errors only ("Unexpected token" has none), so
 * the YAML parser, whose flow syntax is a superset of JSON, locates the others.
 */
function jsonErrorPosition(text: string, message: string): {line?: number; column?: number} {
  const position = /at position (\d+)/.exec(message)
  if (position) {
    const before = text.slice(0, Number(position[1]))
    return {line: 1 + (before.match(/\n/g)?.length ?? 0), column: Number(position[1]) - before.lastIndexOf('\n')}
  }
  const [first] = parseDocument(text).errors
  return first?.linePos ? {line: first.linePos[0].line, column: first.linePos[0].col} : {}
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
