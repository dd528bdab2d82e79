#!/usr/bin/env node
/**
 * The load generator of `npm run bench`, run as its own process so that its CPU is never the gateway's.
 * Reads one JSON job from stdin (its bodies may be larger than a command-line argument can be) and prints JSON lines:
 * `{"event":"started"}` when the load begins, then `{"event":"result",...}`.
 *
 * Jobs:
 * - `{"mode":"autocannon","url","headers","body","connections","duration","requests"?}`: closed-loop load with
 *   autocannon; the result has requests, errors, non-2xx and the latency percentiles (whole milliseconds, autocannon's
 *   resolution). `requests` (an array of `{body}`) cycles several bodies per connection (the soak's mix).
 * - `{"mode":"sequential","targets":[{name,url,headers,body,stream}],"requests","warmup","blocks"}`: one connection per
 *   target, one request at a time, targets interleaved in `blocks` so that all see the same machine; for each target
 *   the total latency and, for streams, the time to the first `data:` chunk (high resolution, from undici).
 * In both, each `[<id>]` in a body becomes a number that no other request of the run carries.
 */
import {performance} from 'node:perf_hooks'

import autocannon from 'autocannon'
import {Client} from 'undici'

let input = ''
process.stdin.setEncoding('utf8')
for await (const chunk of process.stdin) input += chunk
const job = JSON.parse(input || '{}')

/** The mark in a body that becomes a new number in every request sent (see `distinctRequests` in lib/requests.js). */
const ID_MARK = '[<id>]'
/** Requests numbered so far. */
let sent = 0

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n')
}

async function runAutocannon() {
  const options = {
    url: job.url,
    method: 'POST',
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    duration: job.duration,
    pipelining: 1,
    timeout: 10,
  }
  // Each '[<id>]' in a body becomes a new number in every request: no two requests are the same question. (autocannon's
  // own `idReplacement` announces a Content-Length for 33-character ids, while its ids are shorter: the server waits
  // for bytes that never come.)
  const bodies = job.requests ? job.requests.map((r) => r.body) : [job.body]
  options.requests = bodies.map((body) => {
    const request = {method: 'POST', body}
    if (body.includes(ID_MARK))
      request.setupRequest = (next) => {
        next.body = body.replaceAll(ID_MARK, String(++sent))
        return next
      }
    return request
  })
  // The soak's steady rate (requests per second over all connections); without it autocannon sends as fast as it can.
  if (job.overallRate) options.overallRate = job.overallRate
  emit({event: 'started', at: Number(process.hrtime.bigint() / 1000n)})
  const result = await autocannon(options)
  emit({
    event: 'result',
    duration_s: result.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    status_2xx: result['2xx'],
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    bytes: result.throughput.total,
    latency_ms: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  })
}

/** One request on its own connection; resolves with the total time and the time to the first `data:` chunk. */
async function once(client, target) {
  const body = target.body.replaceAll(ID_MARK, String(++sent))
  const start = performance.now()
  const response = await client.request({
    path: target.path,
    method: 'POST',
    headers: target.headers,
    body,
  })
  let firstData = null
  let text = ''
  for await (const chunk of response.body) {
    if (target.stream) {
      if (firstData === null && chunk.includes('data:')) firstData = performance.now() - start
      text = (text + chunk.toString('utf8')).slice(-64)
    } else {
      text += chunk.toString('utf8')
    }
  }
  const total = performance.now() - start
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${text.slice(0, 200)}`)
  // What a complete answer holds: a chat completion's choices and [DONE], or an Anthropic message's content and message_stop.
  const end = target.streamEnd ?? '[DONE]'
  const mark = target.bodyMark ?? '"choices"'
  if (target.stream && !text.includes(end)) throw new Error(`stream ended without ${end}`)
  if (!target.stream && !text.includes(mark)) throw new Error(`unexpected body: ${text.slice(0, 200)}`)
  return {total, firstData}
}

function percentiles(values) {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  return {p50: at(0.5), p90: at(0.9), p99: at(0.99), mean, min: sorted[0], max: sorted[sorted.length - 1]}
}

async function runSequential() {
  const clients = job.targets.map((target) => {
    const url = new URL(target.url)
    return {
      target: {...target, path: url.pathname},
      client: new Client(url.origin, {pipelining: 1}),
      totals: [],
      firsts: [],
      errors: 0,
      lastError: null,
    }
  })
  for (const entry of clients)
    for (let i = 0; i < job.warmup; i++) await once(entry.client, entry.target).catch(() => undefined)
  emit({event: 'started', at: Number(process.hrtime.bigint() / 1000n)})
  const perBlock = Math.ceil(job.requests / job.blocks)
  for (let block = 0; block < job.blocks; block++) {
    for (const entry of clients) {
      for (let i = 0; i < perBlock; i++) {
        try {
          const {total, firstData} = await once(entry.client, entry.target)
          entry.totals.push(total)
          if (firstData !== null) entry.firsts.push(firstData)
        } catch (error) {
          entry.errors++
          entry.lastError = error instanceof Error ? error.message : String(error)
        }
      }
    }
  }
  await Promise.all(clients.map((entry) => entry.client.close()))
  emit({
    event: 'result',
    targets: Object.fromEntries(
      clients.map((entry) => [
        entry.target.name,
        {
          requests: entry.totals.length,
          errors: entry.errors,
          last_error: entry.lastError,
          latency_ms: percentiles(entry.totals),
          first_data_ms: entry.target.stream ? percentiles(entry.firsts) : null,
        },
      ]),
    ),
  })
}

try {
  if (job.mode === 'autocannon') await runAutocannon()
  else if (job.mode === 'sequential') await runSequential()
  else throw new Error(`unknown job mode ${JSON.stringify(job.mode)}`)
} catch (error) {
  emit({event: 'error', message: error instanceof Error ? error.message : String(error)})
  process.exitCode = 1
}
