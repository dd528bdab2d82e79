/**
 * Upstreams that do odd things with bodies: compress them although asked not to, or send far too much. A small
 * hand-written upstream on loopback plays them.
 */
import {gzipSync} from 'node:zlib'
import {describe, expect} from 'vitest'

import {gatewayTest} from '../helpers/gateway.js'
import {startHostileUpstream, type UpstreamHandler} from '../helpers/hostile-upstream.js'

const completion = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{index: 0, message: {role: 'assistant', content: 'compressed hello'}, finish_reason: 'stop'}],
  usage: {prompt_tokens: 3, completion_tokens: 2, total_tokens: 5},
})

function chunk(text: string): string {
  return `data: ${JSON.stringify({id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{index: 0, delta: {content: text}, finish_reason: null}]})}\n\n`
}

/** Model `huge` gets 200 KB; any other, a gzip body although the gateway asked for none. */
const odd: UpstreamHandler = (_req, res, raw) => {
  const body = JSON.parse(raw) as {stream?: boolean; model: string}
  if (body.model === 'huge') {
    res.writeHead(200, {'content-type': body.stream ? 'text/event-stream' : 'application/json'})
    const filler = body.stream ? chunk('x'.repeat(1000)) : 'x'.repeat(1000)
    for (let i = 0; i < 200; i++) res.write(filler)
    res.end(body.stream ? 'data: [DONE]\n\n' : '')
    return
  }
  if (body.stream) {
    res.writeHead(200, {'content-type': 'text/event-stream', 'content-encoding': 'gzip'})
    res.end(gzipSync(chunk('compressed') + chunk(' stream') + 'data: [DONE]\n\n'))
    return
  }
  res.writeHead(200, {'content-type': 'application/json', 'content-encoding': 'gzip'})
  res.end(gzipSync(completion))
}

const it = gatewayTest({
  upstreams: {odd: () => startHostileUpstream(odd)},
  config: ({odd}) => `
default_model: local/m
models:
  local/m: {}
  local/huge: {}
accounts:
  - name: odd
    provider: openai-compatible
    base_url: ${odd.url}
task_routes:
  general: {default: [local/m]}
`,
  options: {settings: {max_response_body_bytes: 64 * 1024}},
})

describe('compressed upstream bodies', () => {
  it('decodes a gzip JSON answer, adds _router, and does not forward content-encoding', async ({chat}) => {
    const {status, headers, text} = await chat({model: 'auto', messages: [{role: 'user', content: 'hi'}]})
    expect(status).toBe(200)
    expect(headers['content-encoding']).toBeUndefined()
    const body = JSON.parse(text)
    expect(body.choices[0].message.content).toBe('compressed hello')
    expect(body._router.account).toBe('odd')
  })

  it('decodes a gzip SSE stream chunk by chunk', async ({chat}) => {
    const {status, headers, text} = await chat({model: 'auto', stream: true, messages: [{role: 'user', content: 'hi'}]})
    expect(status).toBe(200)
    expect(headers['content-encoding']).toBeUndefined()
    expect(text).toContain('"content":"compressed"')
    expect(text).toContain('data: [DONE]')
  })
})

describe('the response size guard', () => {
  it('refuses an answer larger than ROUTER_MAX_RESPONSE_BODY_BYTES with a 502', async ({chat}) => {
    const {status, text} = await chat({model: 'local/huge', messages: [{role: 'user', content: 'hi'}]})
    expect(status).toBe(502)
    expect(JSON.parse(text).error.message).toContain('response too large')
  })

  it('cuts a stream that grows past the guard with an SSE error event, never [DONE]', async ({chat}) => {
    const {status, text} = await chat({model: 'local/huge', stream: true, messages: [{role: 'user', content: 'hi'}]})
    expect(status).toBe(200)
    expect(text).not.toContain('[DONE]')
    expect(text).toContain('"code":"stream_interrupted"')
  })
})
