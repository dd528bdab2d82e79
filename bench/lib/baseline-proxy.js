#!/usr/bin/env node
/**
 * The floor of the gateway's stack, for `npm run bench -- --baseline`: a minimal proxy on the same libraries and Node
 * as `router serve` (Fastify 5; undici 7's `Agent` and `request()`, loaded by path as the gateway loads its parts),
 * with none of the router's work: no routing decision, audit log, metrics, retries, or header handling beyond what
 * forwarding needs. It parses
 * the request body once (as any proxy that reads `model` must), forwards the client's bytes with the upstream's key,
 * and relays the answer: buffered when it is JSON, piped when it is an event stream.
 *
 *   node bench/lib/baseline-proxy.js UPSTREAM_URL UPSTREAM_KEY
 *
 * Listens on 127.0.0.1, port 0, and writes `listening on http://127.0.0.1:PORT` to stderr.
 */
import {createRequire} from 'node:module'

import Fastify from 'fastify'

const require = createRequire(import.meta.url)
// undici's index adds these to every dispatcher; loaded by path, as the gateway loads its parts (src/gateway/undici.ts).
const Agent = require('undici/lib/dispatcher/agent.js')
const {request: undiciRequest} = require('undici/lib/api/index.js')

const [upstream, key] = process.argv.slice(2)
if (!upstream || !key) {
  process.stderr.write('usage: node bench/lib/baseline-proxy.js UPSTREAM_URL UPSTREAM_KEY\n')
  process.exit(2)
}
const origin = new URL(upstream).origin
const agent = new Agent({keepAliveTimeout: 60_000})
const app = Fastify({logger: false})

app.removeAllContentTypeParsers()
app.addContentTypeParser('*', {parseAs: 'buffer'}, (_request, body, done) => {
  try {
    JSON.parse(body.toString('utf8'))
    done(null, body)
  } catch (error) {
    done(Object.assign(new Error(`invalid JSON: ${error.message}`), {statusCode: 400}), undefined)
  }
})

app.post('/v1/chat/completions', async (request, reply) => {
  const answer = await undiciRequest.call(agent, {
    origin,
    path: '/v1/chat/completions',
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: `Bearer ${key}`},
    body: request.body,
  })
  const type = answer.headers['content-type'] ?? 'application/json'
  reply.code(answer.statusCode).header('content-type', type)
  if (String(type).startsWith('text/event-stream')) return reply.send(answer.body)
  return reply.send(Buffer.from(await answer.body.arrayBuffer()))
})

const address = await app.listen({host: '127.0.0.1', port: 0})
process.stderr.write(`listening on ${address}\n`)
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0))
  })
}
