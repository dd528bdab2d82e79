import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {postJson, request} from './support.js'

let sim: SimServer

beforeAll(async () => {
  sim = await startSim({name: 'delta', apiKey: 'sk-control'})
})

afterAll(async () => {
  await sim.close()
})

const auth = {authorization: 'Bearer sk-control'}
const chat = {model: 'gpt-5.2', messages: [{role: 'user', content: 'x'}]}

describe('/_sim control endpoints', () => {
  it('reports health without needing the API key', async () => {
    const response = await request(`${sim.url}/_sim/health`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      status: 'ok',
      name: 'delta',
      url: sim.url,
      protocols: ['openai', 'anthropic', 'codex'],
      pending_script: 0,
    })
  })

  it('queues a script posted as a JSON array, consumed in order', async () => {
    const queued = await postJson(`${sim.url}/_sim/script`, [{status: 503}, {status: 429, retryAfter: 4}])
    expect(queued.status).toBe(200)
    expect(await queued.json()).toEqual({queued: 2, pending: 2})
    const first = await postJson(`${sim.url}/v1/chat/completions`, chat, auth)
    expect(first.status).toBe(503)
    const second = await postJson(`${sim.url}/v1/chat/completions`, chat, auth)
    expect(second.status).toBe(429)
    expect(second.headers.get('retry-after')).toBe('4')
    expect((await postJson(`${sim.url}/v1/chat/completions`, chat, auth)).status).toBe(200)
  })

  it('accepts a single behaviour object and clears the queue on DELETE', async () => {
    expect(await (await postJson(`${sim.url}/_sim/script`, {kind: 'hang'})).json()).toEqual({queued: 1, pending: 1})
    const cleared = await request(`${sim.url}/_sim/script`, {method: 'DELETE'})
    expect(await cleared.json()).toEqual({cleared: 1})
    expect(sim.pendingScript).toBe(0)
  })

  it('rejects an invalid script with a message that names the problem', async () => {
    const response = await postJson(`${sim.url}/_sim/script`, [{kind: 'ok'}, {kind: 'meltdown'}])
    expect(response.status).toBe(400)
    const body = await response.json()
    expect(body.error.code).toBe('invalid_script')
    expect(body.error.message).toMatch(/^Invalid script: \[1\.kind\]/)
    expect(sim.pendingScript).toBe(0)
    expect((await postJson(`${sim.url}/_sim/script`, 'not json')).status).toBe(400)
  })

  it('lists received requests with headers and parsed bodies, and clears them', async () => {
    await request(`${sim.url}/_sim/requests`, {method: 'DELETE'})
    await (await postJson(`${sim.url}/v1/chat/completions?trace=1`, chat, {...auth, 'x-custom': 'abc'})).text()
    const listed = await (await request(`${sim.url}/_sim/requests`)).json()
    expect(listed.count).toBe(1)
    expect(listed.requests).toHaveLength(1)
    expect(listed.requests[0]).toMatchObject({
      seq: 1,
      method: 'POST',
      path: '/v1/chat/completions',
      query: 'trace=1',
      body: chat,
      stream: false,
      behaviour: 'ok',
      status: 200,
      aborted: false,
      completed: true,
      headers: {'x-custom': 'abc', authorization: 'Bearer sk-control'},
    })
    expect(typeof listed.requests[0].receivedAt).toBe('number')
    const cleared = await (await request(`${sim.url}/_sim/requests`, {method: 'DELETE'})).json()
    expect(cleared).toEqual({cleared: 1})
    expect((await (await request(`${sim.url}/_sim/requests`)).json()).requests).toEqual([])
  })

  it('answers 404 for an unknown control route', async () => {
    const response = await request(`${sim.url}/_sim/nothing`)
    expect(response.status).toBe(404)
    expect((await response.json()).error.message).toContain('/_sim/health')
  })
})
