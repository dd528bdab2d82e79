import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {MemoryIdempotencyStore, replayable, requestFingerprint} from '../../src/gateway/idempotency.js'
import {gatewayTest, type TestGateway} from '../helpers/gateway.js'

const it = gatewayTest({
  sims: {sim: {name: 'alpha'}},
  config: ({sim}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
accounts:
  - name: alpha
    provider: openai
    base_url: ${sim.url}/v1
    api_key: sk-upstream-000000
task_routes:
  general: {default: [openai/gpt-5-mini]}
`,
  options: {settings: {idempotency_wait_timeout_seconds: 2, idempotency_ttl_seconds: 60}},
  resetUpstreams: true,
})

let counter = 0
const newKey = () => `key-${process.pid}-${++counter}`
const body = (content = 'hello') => ({model: 'auto', messages: [{role: 'user', content}]})

async function post(target: TestGateway, payload: unknown, headers: Record<string, string>) {
  const response = await request(`${target.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json', ...headers},
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
  const text = await response.body.text()
  return {
    status: response.statusCode,
    idempotency: response.headers['x-router-idempotency-status'] as string | undefined,
    requestId: response.headers['x-router-request-id'] as string,
    text,
    json: () => JSON.parse(text),
  }
}

describe('Idempotency-Key', () => {
  it('runs the first request and replays its response to a later duplicate, without calling the upstream again', async ({
    gateway,
    sims: {sim},
  }) => {
    const key = newKey()
    const first = await post(gateway, body(), {'idempotency-key': key})
    expect(first.status).toBe(200)
    expect(first.idempotency).toBe('created')
    const second = await post(gateway, body(), {'idempotency-key': key})
    expect(second.status).toBe(200)
    expect(second.idempotency).toBe('replayed')
    expect(second.text).toBe(first.text)
    expect(second.requestId).toBe(first.requestId)
    expect(sim.requests).toHaveLength(1)
  })

  it('audits a replay as a request of its own that names the original, with no decision and no attempt', async ({
    gateway,
  }) => {
    const key = newKey()
    const first = await post(gateway, body(), {'idempotency-key': key})
    const before = gateway.events.length
    await post(gateway, body(), {'idempotency-key': key})
    const events = gateway.events.slice(before) as AuditEvent[]
    expect(events.map((e) => e.event)).toEqual(['proxy_terminal'])
    expect(events[0]).toMatchObject({
      outcome: 'success',
      status: 200,
      attempts: [],
      replay_of: first.requestId,
      model: 'openai/gpt-5-mini',
      account: 'alpha',
    })
    expect((events[0] as {request_id: string}).request_id).not.toBe(first.requestId)
  })

  it('treats the same body with its keys in another order as the same request', async ({gateway}) => {
    const key = newKey()
    await post(
      gateway,
      {model: 'auto', temperature: 0.2, messages: [{role: 'user', content: 'x'}]},
      {'idempotency-key': key},
    )
    const second = await post(
      gateway,
      '{"messages":[{"content":"x","role":"user"}],"temperature":0.2,"model":"auto"}',
      {'idempotency-key': key},
    )
    expect(second.idempotency).toBe('replayed')
  })

  it('makes a concurrent duplicate wait for the first and replay its response', async ({gateway, sims: {sim}}) => {
    const key = newKey()
    sim.script([{latencyMs: 400}])
    const first = post(gateway, body(), {'idempotency-key': key})
    // The duplicate goes once the first is at the upstream, its key taken.
    await vi.waitFor(() => expect(sim.requests).toHaveLength(1))
    const second = await post(gateway, body(), {'idempotency-key': key})
    const done = await first
    expect(done.idempotency).toBe('created')
    expect(second.idempotency).toBe('replayed')
    expect(second.text).toBe(done.text)
    expect(sim.requests).toHaveLength(1)
  })

  it('answers 409 when the same key comes with a different body', async ({gateway, sims: {sim}}) => {
    const key = newKey()
    await post(gateway, body('one'), {'idempotency-key': key})
    const other = await post(gateway, body('two'), {'idempotency-key': key})
    expect(other.status).toBe(409)
    expect(other.json().error).toMatchObject({type: 'invalid_request_error', code: 'idempotency_key_reused'})
    expect(sim.requests).toHaveLength(1)
  })

  it('does not remember a failed response: the next try runs again', async ({gateway, sims: {sim}}) => {
    const key = newKey()
    sim.script([{status: 503}])
    const failed = await post(gateway, body(), {'idempotency-key': key})
    expect(failed.status).toBe(503)
    const retried = await post(gateway, body(), {'idempotency-key': key})
    expect(retried.status).toBe(200)
    expect(retried.idempotency).toBe('created')
    expect(sim.requests).toHaveLength(2)
  })

  it('lets a waiting duplicate run itself when the first one fails', async ({gateway, sims: {sim}}) => {
    const key = newKey()
    sim.script([{status: 500, latencyMs: 300}])
    const first = post(gateway, body(), {'idempotency-key': key})
    await vi.waitFor(() => expect(sim.requests).toHaveLength(1))
    const second = await post(gateway, body(), {'idempotency-key': key})
    expect((await first).status).toBe(500)
    expect(second.status).toBe(200)
    expect(second.idempotency).toBe('created')
    expect(sim.requests).toHaveLength(2)
  })

  it('remembers a client error the upstream would give again', async ({gateway, sims: {sim}}) => {
    const key = newKey()
    sim.script([{status: 400, body: {error: {message: 'bad temperature', type: 'invalid_request_error'}}}])
    const first = await post(gateway, body(), {'idempotency-key': key})
    expect(first.status).toBe(400)
    const second = await post(gateway, body(), {'idempotency-key': key})
    expect(second.status).toBe(400)
    expect(second.idempotency).toBe('replayed')
    expect(second.json().error.message).toBe('bad temperature')
  })

  it('scopes keys per tenant (OpenAI-Organization)', async ({gateway, sims: {sim}}) => {
    const key = newKey()
    const a = await post(gateway, body(), {'idempotency-key': key, 'openai-organization': 'org-a'})
    const b = await post(gateway, body(), {'idempotency-key': key, 'openai-organization': 'org-b'})
    expect(a.idempotency).toBe('created')
    expect(b.idempotency).toBe('created')
    expect((await post(gateway, body(), {'idempotency-key': key, 'openai-organization': 'org-a'})).idempotency).toBe(
      'replayed',
    )
    expect(sim.requests).toHaveLength(2)
  })

  it('ignores the key on streaming requests', async ({gateway, sims: {sim}}) => {
    const key = newKey()
    const streamed = {...body(), stream: true}
    const first = await post(gateway, streamed, {'idempotency-key': key})
    const second = await post(gateway, streamed, {'idempotency-key': key})
    expect(first.idempotency).toBeUndefined()
    expect(second.idempotency).toBeUndefined()
    expect(second.text).toContain('[DONE]')
    expect(sim.requests).toHaveLength(2)
  })

  it('refuses a key longer than 255 characters', async ({gateway}) => {
    const res = await post(gateway, body(), {'idempotency-key': 'k'.repeat(256)})
    expect(res.status).toBe(400)
    expect(res.json().error.code).toBe('invalid_idempotency_key')
  })
})

describe('Idempotency-Key with short waits and ingress auth', () => {
  const settings = {
    idempotency_wait_timeout_seconds: 0.15,
    ingress_auth_required: true,
    ingress_api_keys: ['alice:alice-key-0123456789', 'bob:bob-key-0123456789ab'],
  }

  it('scopes keys per ingress principal', async ({startGateway, sims: {sim}}) => {
    const other = await startGateway({settings})
    const key = newKey()
    const alice = await post(other, body(), {'idempotency-key': key, authorization: 'Bearer alice-key-0123456789'})
    const bob = await post(other, body(), {'idempotency-key': key, authorization: 'Bearer bob-key-0123456789ab'})
    expect([alice.idempotency, bob.idempotency]).toEqual(['created', 'created'])
    expect(sim.requests).toHaveLength(2)
  })

  it('answers 409 in progress when the first request outlasts the wait', async ({startGateway, sims: {sim}}) => {
    const other = await startGateway({settings})
    const key = newKey()
    sim.script([{latencyMs: 600}])
    const headers = {'idempotency-key': key, authorization: 'Bearer alice-key-0123456789'}
    const requests = sim.requests.length
    const first = post(other, body(), headers)
    await vi.waitFor(() => expect(sim.requests).toHaveLength(requests + 1))
    const busy = await post(other, body(), headers)
    expect(busy.status).toBe(409)
    expect(busy.json().error.code).toBe('idempotency_in_progress')
    expect((await first).status).toBe(200)
    expect((await post(other, body(), headers)).idempotency).toBe('replayed')
  })
})

describe('MemoryIdempotencyStore', () => {
  const response = (body: string) => ({
    status: 200,
    headers: {'content-type': 'application/json'},
    body: Buffer.from(body),
    requestId: 'req_1',
  })

  it('forgets entries after the TTL', async () => {
    let now = 0
    const store = new MemoryIdempotencyStore({ttlMs: 1000, maxEntries: 10, maxBytes: 1e6, now: () => now})
    await store.begin('a', 'f')
    await store.complete('a', response('{}'))
    expect((await store.get('a'))?.state).toBe('completed')
    now = 1001
    expect(await store.get('a')).toBeUndefined()
    expect(store.size.entries).toBe(0)
    store.close()
  })

  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const store = new MemoryIdempotencyStore({ttlMs: 60_000, maxEntries: 3, maxBytes: 1e6})
    for (const key of ['a', 'b', 'c', 'd']) {
      await store.begin(key, 'f')
      await store.complete(key, response(key))
    }
    expect(store.size.entries).toBe(3)
    expect(await store.get('a')).toBeUndefined()
    expect((await store.get('d'))?.state).toBe('completed')
    store.close()
  })

  it('bounds the bytes held and does not keep one huge body', async () => {
    const store = new MemoryIdempotencyStore({ttlMs: 60_000, maxEntries: 1000, maxBytes: 40_000})
    await store.begin('huge', 'f')
    await store.complete('huge', response('x'.repeat(20_000)))
    expect(await store.get('huge')).toBeUndefined()
    for (let i = 0; i < 20; i++) {
      await store.begin(`k${i}`, 'f')
      await store.complete(`k${i}`, response('y'.repeat(2_000)))
    }
    expect(store.size.bytes).toBeLessThanOrEqual(40_000)
    expect(store.size.entries).toBeLessThan(20)
    store.close()
  })

  it('counts a body by its UTF-8 bytes: a body just under a quarter of the limit is remembered, whatever its characters', async () => {
    const store = new MemoryIdempotencyStore({ttlMs: 60_000, maxEntries: 1000, maxBytes: 40_000})
    // Bodies of 9,800 bytes (with the headers and the entry's overhead, under the 10,000 a quarter allows): ASCII,
    // and 4,898 two-byte characters plus an emoji (counted as UTF-16 units × 2, either would be refused).
    await store.begin('ascii', 'f')
    await store.complete('ascii', response('a'.repeat(9_800)))
    await store.begin('accents', 'f')
    await store.complete('accents', response('é'.repeat(4_898) + '🚀'))
    expect((await store.get('ascii'))?.state).toBe('completed')
    expect((await store.get('accents'))?.state).toBe('completed')
    store.close()
  })

  it('wakes waiters when the first request completes or fails', async () => {
    const store = new MemoryIdempotencyStore({ttlMs: 60_000, maxEntries: 10, maxBytes: 1e6})
    await store.begin('a', 'f')
    const waited = store.waitForChange('a', 5000)
    await store.fail('a')
    await waited
    expect(await store.get('a')).toBeUndefined()
    store.close()
  })

  it('replays successes and client errors, never server errors, timeouts, conflicts or rate limits', () => {
    expect([200, 201, 400, 404, 422].every(replayable)).toBe(true)
    expect([408, 409, 425, 429, 500, 502, 503, 504].some(replayable)).toBe(false)
  })

  it('fingerprints method, path and canonical body', () => {
    expect(requestFingerprint('POST', '/v1/x', {a: 1, b: [1, {c: 2, d: 3}]})).toBe(
      requestFingerprint('POST', '/v1/x', {b: [1, {d: 3, c: 2}], a: 1}),
    )
    expect(requestFingerprint('POST', '/v1/x', {a: 1})).not.toBe(requestFingerprint('POST', '/v1/y', {a: 1}))
    expect(requestFingerprint('POST', '/v1/x', {a: [1, 2]})).not.toBe(requestFingerprint('POST', '/v1/x', {a: [2, 1]}))
  })
})
