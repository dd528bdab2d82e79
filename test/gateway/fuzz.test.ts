/**
 * A seeded, bounded fuzz of the gateway's request handling: about 1,000 mutated requests per API shape (chat
 * completions, Responses, Anthropic Messages, embeddings), sent over real sockets to a real gateway in front of a
 * simulated provider that answers every valid request. Mutations change the JSON tree (fields removed, values of
 * every type, nesting thousands deep, odd strings, router-only fields with odd values), the bytes (cut, flipped,
 * a key given twice, invalid UTF-8), and the headers (Content-Type, Idempotency-Key, streaming).
 *
 * Whatever arrives, the gateway must answer with one clear outcome: no 5xx of its own (a 5xx may only relay an
 * upstream's), no crash, an OpenAI-shaped error body on every error (Anthropic-shaped on /v1/messages), a request id
 * on every answer, and a `proxy_terminal` audit event for every request it answered.
 *
 * The seed is printed on failure; `FUZZ_SEED=<seed> npx vitest run test/gateway/fuzz.test.ts` replays a run,
 * `FUZZ_REQUESTS` changes the number of requests per shape, and `FUZZ_STATS=1` prints the time, CPU and statuses of
 * each shape.
 */
import {Pool} from 'undici'
import {describe, expect, vi} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {createPrng} from '../../src/sim/prng.js'
import {gatewayTest} from '../helpers/gateway.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207)
const PER_SHAPE = Number(process.env.FUZZ_REQUESTS ?? 1000)
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 16)

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

/**
 * A value nested `depth` levels deep stands in the tree as this marker string, and is written out as text when the
 * body is serialised: the test's own recursion (JSON.stringify, walking the tree) must not overflow first.
 */
const DEEP = '\u0001deep:'

/** The body text of a tree, deep markers written out. */
function serialise(tree: Json): string {
  return JSON.stringify(tree).replace(/"\\u0001deep:(\d+):([ao]+)"/g, (_, depth: string, kinds: string) => {
    let open = ''
    let close = ''
    for (let i = 0; i < Number(depth); i++) {
      const array = kinds[i % kinds.length] === 'a'
      open += array ? '[' : '{"a":'
      close = (array ? ']' : '}') + close
    }
    return `${open}1${close}`
  })
}

/** Test data as JSON values (object literals with optional members do not type as `Json` by themselves). */
function json(value: unknown): {[key: string]: Json} {
  return value as {[key: string]: Json}
}

interface Shape {
  name: string
  path: string
  base: () => object
  /** Errors on this path are in Anthropic's shape. */
  anthropic?: boolean
}

const SHAPES: Shape[] = [
  {
    name: 'chat',
    path: '/v1/chat/completions',
    base: () => ({
      model: 'auto',
      messages: [
        {role: 'system', content: 'You are a terse assistant.'},
        {role: 'user', content: 'Write a haiku about routers.'},
        {
          role: 'assistant',
          content: null,
          tool_calls: [{id: 'call_1', type: 'function', function: {name: 'lookup', arguments: '{}'}}],
        },
        {role: 'tool', tool_call_id: 'call_1', content: 'nothing found'},
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup',
            description: 'Look up a word',
            parameters: {type: 'object', properties: {q: {type: 'string'}}},
          },
        },
      ],
      temperature: 0.2,
      max_tokens: 64,
      stream: false,
    }),
  },
  {
    name: 'responses',
    path: '/v1/responses',
    base: () => ({
      model: 'auto',
      instructions: 'Answer in one sentence.',
      input: [{role: 'user', content: [{type: 'input_text', text: 'What is a load balancer?'}]}],
      tools: [
        {type: 'function', name: 'search', description: 'Search the web', parameters: {type: 'object', properties: {}}},
      ],
      max_output_tokens: 128,
      stream: false,
    }),
  },
  {
    name: 'messages',
    path: '/v1/messages',
    anthropic: true,
    base: () => ({
      model: 'auto',
      max_tokens: 256,
      system: [{type: 'text', text: 'Be brief.'}],
      messages: [
        {role: 'user', content: [{type: 'text', text: 'List three prime numbers.'}]},
        {role: 'assistant', content: [{type: 'tool_use', id: 'toolu_1', name: 'calc', input: {}}]},
        {role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_1', content: '2, 3, 5'}]},
      ],
      tools: [{name: 'calc', description: 'Calculate', input_schema: {type: 'object', properties: {}}}],
      stream: false,
    }),
  },
  {
    name: 'embeddings',
    path: '/v1/embeddings',
    base: () => ({
      model: 'openai/text-embedding-3-small',
      input: ['the quick brown fox', 'jumps over'],
      encoding_format: 'float',
    }),
  },
]

/** One mutated request: its path, body bytes and headers. */
interface FuzzRequest {
  path: string
  body: Buffer
  headers: Record<string, string>
  anthropic: boolean
  description: string
}

class Mutator {
  constructor(private readonly random: () => number) {}

  int(below: number): number {
    return Math.floor(this.random() * below)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  chance(p: number): boolean {
    return this.random() < p
  }

  /** A value of any JSON type, sometimes odd (huge, deep, unusual characters). */
  value(depth = 0): Json {
    switch (this.int(depth > 2 ? 9 : 12)) {
      case 0:
        return null
      case 1:
        return this.chance(0.5)
      case 2:
        return this.pick([0, -1, 1, 1.5, -0.0001, 2 ** 53 + 1, 1e308, -1e308, 4294967296, 3])
      case 3:
        return this.pick([
          '',
          'auto',
          'yes',
          'true',
          '0',
          'user',
          'assistant',
          'system',
          'tool',
          'developer',
          'function',
        ])
      case 4:
        return this.pick([
          '\u0000',
          '\ud800',
          '\udfff lone',
          '😀🚀',
          'a\nb\r\n',
          '"quoted"',
          '\\',
          '<script>',
          '%2e%2e/',
          'Robert"); DROP TABLE',
        ])
      case 5:
        return 'x'.repeat(this.pick([1, 100, 5_000, 20_000]))
      case 6:
        return this.pick([
          'openai/gpt-5-mini',
          'unknown/model',
          'gpt-5-mini',
          'openrouter/auto',
          'AUTO',
          ' auto ',
          'openai/text-embedding-3-small',
        ])
      case 7:
        return this.nested(this.pick([2, 50, 3_000, 10_000]))
      case 8:
        return this.pick([[], {}, [null], [1, 2, 3], ['a', 'b'], [[1, 2], [3]]])
      case 9:
        return Array.from({length: this.int(4)}, () => this.value(depth + 1))
      case 10: {
        const object: {[key: string]: Json} = {}
        for (let i = this.int(4); i > 0; i--) object[this.key()] = this.value(depth + 1)
        return object
      }
      default:
        return {role: this.pick(['user', 'assistant', 5, null] as Json[]), content: this.value(depth + 1)}
    }
  }

  nested(depth: number): Json {
    const kinds = Array.from({length: 1 + this.int(3)}, () => this.pick(['a', 'o'])).join('')
    return `${DEEP}${depth}:${kinds}`
  }

  key(): string {
    return this.pick([
      'model',
      'messages',
      'input',
      'stream',
      'stream_options',
      'max_tokens',
      'tools',
      'tool_choice',
      'system',
      'content',
      'role',
      'provider',
      'allowed_models',
      'models',
      'router',
      'n',
      'temperature',
      '__proto__',
      'constructor',
      'prompt',
      'dimensions',
      '',
      'ключ',
    ])
  }

  /** Every (parent, key) in the tree, to choose where to mutate. */
  slots(root: Json): Array<{parent: {[key: string]: Json} | Json[]; key: string | number}> {
    const out: Array<{parent: {[key: string]: Json} | Json[]; key: string | number}> = []
    const visit = (node: Json): void => {
      if (Array.isArray(node)) {
        for (let index = 0; index < node.length; index++) {
          out.push({parent: node, key: index})
          visit(node[index])
        }
      } else if (node !== null && typeof node === 'object') {
        for (const key of Object.keys(node)) {
          out.push({parent: node, key})
          visit(node[key])
        }
      }
    }
    visit(root)
    return out
  }

  /** Mutates the tree in place (one structural change). */
  mutateTree(root: {[key: string]: Json}): string {
    const slots = this.slots(root)
    const slot = this.pick(slots)
    switch (this.int(4)) {
      case 0: {
        if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1)
        else delete slot.parent[slot.key as string]
        return `remove ${slot.key}`
      }
      case 1: {
        const value = this.value()
        ;(slot.parent as Record<string | number, Json>)[slot.key] = value
        return `set ${slot.key} to ${summary(value)}`
      }
      case 2: {
        const objects = slots
          .map((s) => (s.parent as Record<string | number, Json>)[s.key])
          .filter((v): v is {[key: string]: Json} => isObject(v))
        const target = this.chance(0.5) || objects.length === 0 ? root : this.pick(objects)
        const key = this.key()
        target[key] = this.value()
        return `add ${key}`
      }
      default: {
        const key = this.pick(['stream', 'model', 'messages', 'input', 'max_tokens', 'system', 'provider', 'router'])
        root[key] = this.value()
        return `set top-level ${key} to ${summary(root[key])}`
      }
    }
  }

  /** Mutates the bytes of a JSON text. */
  mutateBytes(text: string): {body: Buffer; description: string} {
    const bytes = Buffer.from(text, 'utf8')
    switch (this.int(6)) {
      case 0:
        return {body: bytes.subarray(0, this.int(bytes.length)), description: 'cut short'}
      case 1: {
        const copy = Buffer.from(bytes)
        copy[this.int(copy.length)] = this.int(256)
        return {body: copy, description: 'one byte changed'}
      }
      case 2: {
        const at = this.int(bytes.length)
        const junk = Buffer.from(this.pick(['\xff\xfe', '\u0000', '}}}', ',,', '"', '\\u00', '\ud800']), 'latin1')
        return {body: Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]), description: 'junk inserted'}
      }
      case 3: {
        // The same key twice: JSON.parse keeps the last, and so must the upstream.
        const key = this.pick(['model', 'stream', 'messages', 'input'])
        return {
          body: Buffer.from(`{"${key}":${serialise(this.value())},${text.slice(1)}`),
          description: `${key} given twice`,
        }
      }
      case 4:
        return {body: Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]), description: 'invalid UTF-8'}
      default:
        return {
          body: Buffer.from(
            this.pick(['', 'null', '[]', '"text"', '42', 'true', '[{"model":"auto"}]', '{}', ' ', '{"a":1']),
          ),
          description: 'not an object',
        }
    }
  }

  headers(): {headers: Record<string, string>; description: string} {
    const headers: Record<string, string> = {'content-type': 'application/json'}
    const notes: string[] = []
    if (this.chance(0.15)) {
      const type = this.pick([
        '',
        'text/plain',
        'application/json; charset=latin1',
        ';;',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ])
      headers['content-type'] = type
      notes.push(`content-type ${JSON.stringify(type)}`)
    }
    if (this.chance(0.05)) {
      delete headers['content-type']
      notes.push('no content-type')
    }
    if (this.chance(0.2)) {
      const key = this.pick(['k1', 'k2', 'k3', 'x'.repeat(300), ' '])
      headers['idempotency-key'] = key
      notes.push(`idempotency-key ${key.length > 20 ? `${key.length} chars` : key}`)
    }
    return {headers, description: notes.join(', ')}
  }

  request(shape: Shape): FuzzRequest {
    const tree = json(shape.base())
    const notes: string[] = []
    if (this.chance(0.25)) {
      tree.stream = true
      notes.push('streamed')
    }
    for (let i = 1 + this.int(3); i > 0; i--) notes.push(this.mutateTree(tree))
    const text = serialise(tree)
    let body: Buffer = Buffer.from(text)
    if (this.chance(0.2)) {
      const mutated = this.mutateBytes(text)
      body = mutated.body
      notes.push(mutated.description)
    }
    const {headers, description} = this.headers()
    if (description) notes.push(description)
    return {path: shape.path, body, headers, anthropic: shape.anthropic === true, description: notes.join('; ')}
  }
}

function isObject(value: unknown): value is {[key: string]: Json} {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A value, shortened for a failure message. */
function summary(value: Json): string {
  const text =
    typeof value === 'string' && value.startsWith(DEEP) ? `nested ${value.split(':')[1]} deep` : JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} chars)` : text
}

/** What was wrong with one answer, or undefined. */
function problem(
  request: FuzzRequest,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
): string | undefined {
  if (typeof headers['x-router-request-id'] !== 'string') return 'no x-router-request-id header'
  if (status < 400) return undefined
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return `error body is not JSON: ${text.slice(0, 200)}`
  }
  if (request.anthropic) {
    const error = (body as {type?: unknown; error?: {type?: unknown; message?: unknown}}).error
    if (
      (body as {type?: unknown}).type !== 'error' ||
      typeof error?.type !== 'string' ||
      typeof error.message !== 'string'
    ) {
      return `not an Anthropic-shaped error: ${text.slice(0, 200)}`
    }
  } else {
    const error = (body as {error?: {message?: unknown; type?: unknown; code?: unknown; param?: unknown}}).error
    const nullableString = (v: unknown): boolean => v === null || typeof v === 'string'
    if (
      typeof error?.message !== 'string' ||
      typeof error.type !== 'string' ||
      !nullableString(error.code) ||
      !nullableString(error.param)
    ) {
      return `not an OpenAI-shaped error: ${text.slice(0, 200)}`
    }
  }
  const code = request.anthropic ? undefined : (body as {error: {code: string | null}}).error.code
  // A 5xx may only relay what the upstream said (every attempt failed); the gateway's own code never answers one.
  if (
    status >= 500 &&
    (request.anthropic ? (body as {error: {type: string}}).error.type === 'api_error' : code !== 'upstream_exhausted')
  ) {
    return `${status} from the gateway itself: ${text.slice(0, 300)}`
  }
  return undefined
}

const it = gatewayTest({
  sims: {sim: {name: 'fuzz'}},
  config: ({sim}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/text-embedding-3-small: {}
accounts:
  - {name: sim, provider: openai, base_url: ${sim.url}/v1, api_key: sk-fuzz-000000, models: [openai/gpt-5-mini, openai/text-embedding-3-small]}
task_routes:
  general: {default: [openai/gpt-5-mini]}
`,
  // The terminal events are checked on the bus; the file and the live metrics would only slow the run down.
  options: {settings: {audit_log_enabled: false, live_metrics_enabled: false}},
})

describe(`fuzzing the gateway (seed ${SEED}, ${PER_SHAPE} requests per shape)`, () => {
  // A few seconds on a quiet machine; the limit leaves room for a busy one.
  it.for(SHAPES)(
    'answers every mutated $name request with one clear outcome',
    {timeout: 120_000},
    async (shape, {gateway}) => {
      const mutator = new Mutator(createPrng(SEED ^ hash(shape.name)))
      const requests = Array.from({length: PER_SHAPE}, () => mutator.request(shape))
      const pool = new Pool(gateway.url, {connections: CONCURRENCY, pipelining: 1})
      const failures: string[] = []
      const answered: string[] = []
      const statuses = new Map<number, number>()
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < requests.length) {
          const index = next++
          const request = requests[index]
          try {
            const response = await pool.request({
              method: 'POST',
              path: request.path,
              headers: request.headers,
              body: request.body,
            })
            const text = await response.body.text()
            statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
            const id = response.headers['x-router-request-id']
            if (typeof id === 'string') answered.push(id)
            const wrong = problem(request, response.statusCode, response.headers, text)
            if (wrong) failures.push(`#${index} (${request.description}): ${response.statusCode} ${wrong}`)
          } catch (error) {
            failures.push(`#${index} (${request.description}): ${(error as Error).message}`)
          }
        }
      }
      const cpu = process.cpuUsage()
      const started = performance.now()
      try {
        await Promise.all(Array.from({length: CONCURRENCY}, worker))
      } finally {
        await pool.close()
      }
      if (process.env.FUZZ_STATS) {
        const used = process.cpuUsage(cpu)
        console.log(
          `${shape.name}: ${Math.round(performance.now() - started)} ms, ${Math.round((used.user + used.system) / 1000)} ms of CPU`,
          Object.fromEntries(statuses),
        )
      }
      expect(
        failures.slice(0, 10),
        `seed ${SEED}: ${failures.length} bad answers; FUZZ_SEED=${SEED} replays this run`,
      ).toEqual([])
      // Still serving, and every answered request has exactly one terminal event in the audit.
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200)
      await vi.waitFor(() => {
        const terminals = new Set(
          gateway.events
            .filter((e: AuditEvent) => e.event === 'proxy_terminal')
            .map((e) => (e as {request_id: string}).request_id),
        )
        const missing = answered.filter((id) => !terminals.has(id))
        expect(missing.slice(0, 5)).toEqual([])
      })
      // The run exercised both answers and refusals.
      expect(statuses.get(200) ?? 0).toBeGreaterThan(PER_SHAPE / 10)
      expect([...statuses.keys()].some((status) => status >= 400)).toBe(true)
    },
  )
})

function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}
