/**
 * The gateway against hostile and careless clients: paths that climb out of an account's API root, bodies that are
 * nested thousands deep or of the wrong shape, clients that trickle their request, odd content types, refused
 * credentials on GET routes. A real misbehaving-upstream server on loopback records what the gateway forwarded
 * (usually: nothing), and each case checks what the client got and the audit.
 */
import {readFile, stat} from 'node:fs/promises'
import {connect} from 'node:net'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {describe, expect, vi} from 'vitest'

import {answer, chatCompletion, startHostileUpstream} from '../helpers/hostile-upstream.js'
import {gatewayTest} from '../helpers/gateway.js'

const ACCOUNT_KEY = 'sk-hostile-account-key-000000'

const it = gatewayTest({
  upstreams: {upstream: () => startHostileUpstream()},
  config: ({upstream}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
accounts:
  - {name: hostile, provider: openai, base_url: ${upstream.url}/v1, api_key: ${ACCOUNT_KEY}, models: [openai/gpt-5-mini]}
task_routes:
  general: {default: [openai/gpt-5-mini]}
`,
  options: {settings: {client_headers_timeout_seconds: 1, client_request_timeout_seconds: 2}},
  resetUpstreams: true,
})
  .extend(
    'raw',
    {scope: 'file'},
    ({gateway}) =>
      (pieces: string[], gapMs = 0) =>
        raw(gateway.port, pieces, gapMs),
  )
  .extend(
    'client',
    {scope: 'file'},
    ({gateway}) =>
      (): OpenAI =>
        new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0}),
  )

/** What a raw HTTP exchange gave: the status line's code, the headers (lower-case) and the body. */
interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * Sends bytes exactly as given over a fresh connection (no client normalises the path) and reads until the server
 * closes it. `pieces` are written one by one, `gapMs` apart (a trickling client), stopping when the server hangs up.
 */
function raw(port: number, pieces: string[], gapMs = 0): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (received += chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      clearInterval(timer)
      const [head, ...rest] = received.split('\r\n\r\n')
      const [statusLine, ...headerLines] = head.split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of headerLines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n')})
    })
    let next = 0
    const send = (): void => {
      if (next < pieces.length && !socket.destroyed) socket.write(pieces[next++])
    }
    send()
    const timer = setInterval(send, Math.max(gapMs, 1))
  })
}

/** A complete POST with a JSON body, `Connection: close`. */
function post(
  path: string,
  body: string,
  headers: Record<string, string> = {'content-type': 'application/json'},
): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
  return `POST ${path} HTTP/1.1\r\nhost: gateway\r\n${lines.join('')}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
}

const CHAT = JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hello'}]})

describe('passthrough paths that climb out of the account API root', () => {
  const escapes = [
    '/v1/../../etc/passwd',
    '/v1/%2e%2e/%2e%2e/etc/passwd',
    '/v1/%2E%2E/admin',
    '/v1/..%2f..%2fetc/passwd',
    '/v1/files/..%2F..%2F..%2Fadmin',
    '/v1/..\\..\\etc\\passwd',
    '/v1/%2e%2e%5c%2e%2e%5cadmin',
    '/v1/files/%252e%252e/%252e%252e/admin',
    '/v1/./files',
  ]

  it.for(escapes)(
    'refuses %s with a 400 and forwards nothing, so the account key never leaves',
    async (path, {gateway, raw, upstreams: {upstream}}) => {
      const answer = await raw([post(path, CHAT)])
      expect(answer.status).toBe(400)
      expect(JSON.parse(answer.body)).toMatchObject({
        error: {type: 'invalid_request_error', code: 'invalid_path', param: null},
      })
      const id = answer.headers['x-router-request-id']
      expect(await gateway.terminal(id)).toMatchObject({
        endpoint: 'passthrough',
        outcome: 'rejected',
        status: 400,
        error_code: 'invalid_path',
      })
      expect(gateway.eventsFor(id).some((e) => e.event === 'proxy_attempt')).toBe(false)
      expect(upstream.requests).toEqual([])
    },
  )

  it('still forwards a passthrough path inside the API root, with the account key', async ({
    raw,
    upstreams: {upstream},
  }) => {
    upstream.script(answer(200, 'application/json', '{"object":"list","data":[]}'))
    const result = await raw([post('/v1/fine_tuning/jobs', '{"training_file":"file-abc"}')])
    expect(result.status).toBe(200)
    expect(upstream.requests).toHaveLength(1)
    expect(upstream.requests[0].url).toBe('/v1/fine_tuning/jobs')
    expect(upstream.requests[0].headers.authorization).toBe(`Bearer ${ACCOUNT_KEY}`)
  })
})

describe('request bodies of the wrong shape', () => {
  it.for<[name: string, body: Record<string, unknown>, param: string, code: string]>([
    ['messages as a string', {model: 'auto', messages: 'hello'}, 'messages', 'invalid_type'],
    ['messages as numbers', {model: 'auto', messages: [1, 2, 3]}, 'messages', 'invalid_type'],
    ['messages missing', {model: 'auto'}, 'messages', 'missing_required_parameter'],
    [
      'stream as "yes"',
      {model: 'auto', stream: 'yes', messages: [{role: 'user', content: 'hi'}]},
      'stream',
      'invalid_type',
    ],
  ])(
    'answers a chat request with %s with a 400 naming the field, which the official client raises',
    async ([, body, param, code], {gateway, client, upstreams: {upstream}}) => {
      const error = await client()
        .chat.completions.create(body as never)
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(error).toBeInstanceOf(OpenAI.BadRequestError)
      const apiError = error as InstanceType<typeof OpenAI.BadRequestError>
      expect(apiError.code).toBe(code)
      expect(apiError.param).toBe(param)
      expect(apiError.message).toContain(`'${param}'`)
      expect(await gateway.terminal(apiError.headers!.get('x-router-request-id')!)).toMatchObject({
        outcome: 'rejected',
        status: 400,
        error_code: code,
      })
      expect(upstream.requests).toEqual([])
    },
  )

  it.for<[name: string, path: string, body: Record<string, unknown>, param: string]>([
    ['embeddings', '/v1/embeddings', {model: 'auto', input: {text: 'hi'}}, 'input'],
    ['completions', '/v1/completions', {model: 'auto', prompt: 42}, 'prompt'],
    ['responses', '/v1/responses', {model: 'auto', input: 7}, 'input'],
    ['images', '/v1/images/generations', {model: 'auto', prompt: ['a cat']}, 'prompt'],
  ])('checks the required fields of %s too', async ([, path, body, param], {raw, upstreams: {upstream}}) => {
    const result = await raw([post(path, JSON.stringify(body))])
    expect(result.status).toBe(400)
    expect(JSON.parse(result.body)).toMatchObject({error: {code: 'invalid_type', param}})
    expect(upstream.requests).toEqual([])
  })

  it("answers a Messages request with messages as a string in Anthropic's shape, which the Anthropic client raises", async ({
    gateway,
    upstreams: {upstream},
  }) => {
    const anthropic = new Anthropic({baseURL: gateway.url, apiKey: 'unused', maxRetries: 0})
    const error = await anthropic.messages.create({model: 'auto', max_tokens: 10, messages: 'hello'} as never).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: 'error',
      error: {type: 'invalid_request_error', message: expect.stringContaining("'messages'")},
    })
    expect(upstream.requests).toEqual([])
  })

  it('answers a model name of a megabyte with a 400 model_not_found (it is never compared letter by letter with the configured names)', async ({
    raw,
    upstreams: {upstream},
  }) => {
    const body = JSON.stringify({model: 'x'.repeat(1024 * 1024), messages: [{role: 'user', content: 'hi'}]})
    const result = await raw([post('/v1/chat/completions', body)])
    expect(result.status).toBe(400)
    expect(JSON.parse(result.body)).toMatchObject({error: {code: 'model_not_found', param: 'model'}})
    expect(upstream.requests).toEqual([])
  })

  it('reads a body sent with an empty Content-Type as JSON, like one without the header', async ({
    raw,
    upstreams: {upstream},
  }) => {
    upstream.script(answer(200, 'application/json', chatCompletion('hi there')))
    const result = await raw([post('/v1/chat/completions', CHAT, {'content-type': ''})])
    expect(result.status).toBe(200)
    expect(JSON.parse(result.body)).toMatchObject({choices: [{message: {content: 'hi there'}}]})
    expect(JSON.parse(upstream.requests[0].body)).toMatchObject({messages: [{role: 'user', content: 'hello'}]})
  })

  it('answers a malformed Content-Type with an OpenAI-shaped 415, never a Fastify code', async ({raw}) => {
    const result = await raw([post('/v1/chat/completions', CHAT, {'content-type': ';;;'})])
    expect(result.status).toBe(415)
    expect(JSON.parse(result.body)).toEqual({
      error: {message: expect.any(String), type: 'invalid_request_error', code: 'unsupported_media_type', param: null},
    })
    expect(result.body).not.toContain('FST_')
  })

  it('answers a URL with broken percent-encoding in OpenAI shape', async ({raw, upstreams: {upstream}}) => {
    const result = await raw([post('/v1/chat/completions%zz', CHAT)])
    expect(result.status).toBe(400)
    expect(JSON.parse(result.body)).toMatchObject({error: {type: 'invalid_request_error', code: 'invalid_url'}})
    expect(upstream.requests).toEqual([])
  })
})

describe('clients that trickle their request', () => {
  it('answers a client that trickles its body with an OpenAI-shaped 408 once the request timeout passes, and audits it', async ({
    gateway,
    raw,
    upstreams: {upstream},
  }) => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\ncontent-length: ${CHAT.length}\r\n\r\n`
    // One byte every 100 ms: the whole body would take about 5 s; the request timeout is 2 s.
    const result = await raw([head, ...CHAT.split('')], 100)
    expect(result.status).toBe(408)
    expect(result.headers.connection).toBe('close')
    expect(JSON.parse(result.body)).toMatchObject({error: {type: 'invalid_request_error', code: 'request_timeout'}})
    const terminal = await vi.waitFor(() => {
      const found = gateway.events.find((e) => e.event === 'proxy_terminal' && e.error_code === 'request_timeout')
      expect(found).toBeDefined()
      return found
    })
    expect(terminal).toMatchObject({endpoint: 'chat.completions', outcome: 'rejected', status: 408})
    expect(upstream.requests).toEqual([])
  })

  it('never cuts a request whose answer takes longer than the request timeout: the deadline covers receiving it only', async ({
    raw,
    upstreams: {upstream},
  }) => {
    upstream.script((_req, res) => {
      // Slower than the 2 s request timeout, as a long completion is.
      setTimeout(() => answer(200, 'application/json', chatCompletion('worth the wait'))(_req, res, ''), 2500)
    })
    const result = await raw([post('/v1/chat/completions', CHAT)])
    expect(result.status).toBe(200)
    expect(JSON.parse(result.body)).toMatchObject({choices: [{message: {content: 'worth the wait'}}]})
  })

  it('answers a client that trickles its headers with a 408 once the headers timeout passes', async ({
    raw,
    upstreams: {upstream},
  }) => {
    const lines = [
      'POST /v1/chat/completions HTTP/1.1\r\n',
      ...Array.from({length: 40}, (_, i) => `x-slow-${i}: ${i}\r\n`),
    ]
    const result = await raw(lines, 100)
    expect(result.status).toBe(408)
    expect(JSON.parse(result.body)).toMatchObject({error: {code: 'request_timeout'}})
    expect(upstream.requests).toEqual([])
  })
})

describe('Idempotency-Key edge cases', () => {
  function nested(depth: number): string {
    return `{"model":"auto","messages":[{"role":"user","content":"deep"}],"metadata_blob":${'['.repeat(depth)}1${']'.repeat(depth)}}`
  }

  it.for([3_000, 100_000])(
    'forwards and replays a body nested %i levels deep instead of failing with a 500',
    async (depth, {raw, upstreams: {upstream}}) => {
      upstream.script(answer(200, 'application/json', chatCompletion('deep answer')))
      const key = `deep-${depth}`
      const first = await raw([
        post('/v1/chat/completions', nested(depth), {'content-type': 'application/json', 'idempotency-key': key}),
      ])
      expect(first.status).toBe(200)
      expect(first.headers['x-router-idempotency-status']).toBe('created')
      const again = await raw([
        post('/v1/chat/completions', nested(depth), {'content-type': 'application/json', 'idempotency-key': key}),
      ])
      expect(again.status).toBe(200)
      expect(again.headers['x-router-idempotency-status']).toBe('replayed')
      expect(again.body).toBe(first.body)
      expect(upstream.requests).toHaveLength(1)
    },
  )

  it("remembers the gateway's own 400 for the key and replays it, audited as a rejection", async ({
    gateway,
    raw,
    upstreams: {upstream},
  }) => {
    const headers = {'content-type': 'application/json', 'idempotency-key': 'bad-shape-1'}
    const body = JSON.stringify({model: 'auto', messages: 'not a list'})
    const first = await raw([post('/v1/chat/completions', body, headers)])
    expect(first.status).toBe(400)
    expect(first.headers['x-router-idempotency-status']).toBe('created')
    const again = await raw([post('/v1/chat/completions', body, headers)])
    expect(again.status).toBe(400)
    expect(again.headers['x-router-idempotency-status']).toBe('replayed')
    expect(again.body).toBe(first.body)
    const replayId = await vi.waitFor(() => {
      const found = gateway.events.find(
        (e) => e.event === 'proxy_terminal' && e.replay_of === first.headers['x-router-request-id'],
      )
      expect(found).toBeDefined()
      return found!
    })
    expect(replayId).toMatchObject({
      outcome: 'rejected',
      status: 400,
      error_code: 'invalid_type',
      error_type: null,
      attempts: [],
    })
    expect(upstream.requests).toEqual([])
  })
})

describe('prompts in the audit log with ROUTER_AUDIT_LOG_PROMPTS=redacted', () => {
  it('writes none of the secrets a user pasted, to files only their owner can read', async ({
    startGateway,
    upstreams: {upstream},
  }) => {
    const logged = await startGateway({settings: {audit_log_prompts: 'redacted'}})
    const secrets = [
      'AKIAIOSFODNN7EXAMPLE',
      '4111 1111 1111 1111',
      'hunter2',
      '123-45-6789',
      '(555) 123-4567',
      'jane@example.com',
    ]
    upstream.script(answer(200, 'application/json', chatCompletion('noted')))
    const content = `my key AKIAIOSFODNN7EXAMPLE, card 4111 1111 1111 1111, password=hunter2, SSN 123-45-6789, call (555) 123-4567 or jane@example.com`
    const response = await fetch(`${logged.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({model: 'auto', messages: [{role: 'user', content}]}),
    })
    expect(response.status).toBe(200)
    const id = response.headers.get('x-router-request-id')!
    await vi.waitFor(async () => expect(await readFile(logged.auditPath, 'utf8')).toContain(id))
    const log = await readFile(logged.auditPath, 'utf8')
    expect(log).toContain(
      '"prompt":"my key [secret], card [card], password=[redacted], SSN [ssn], call [phone] or [email]"',
    )
    for (const secret of secrets) expect(log).not.toContain(secret)
    expect((await stat(logged.auditPath)).mode & 0o777).toBe(0o600)
  })
})
