#!/usr/bin/env node
/**
 * Gateway CPU per request of this checkout against another one (a build of an earlier commit), in alternating batches
 * in one process tree: one upstream (`router sim --fast`), one gateway per checkout, and the same requests to both.
 * Each pair of batches gives one ratio (this ÷ other); the median of the ratios and their quartiles say whether a
 * change costs CPU. A busy or throttled machine slows both members of a pair alike, so the ratio holds where the
 * absolute figures of two `npm run bench` runs, minutes apart, cannot be compared (see docs/benchmark.md).
 *
 *   npm run build && (cd OTHER && npm run build)
 *   node bench/compare.mjs OTHER [--stream] [--pairs 30] [--requests 1000] [--connections 16] [--warmup 15000] [--json]
 *
 * OTHER is a directory holding another checkout, built (`git worktree add /tmp/before COMMIT`, with its own
 * `npm install` or a link to this one's node_modules). Both gateways run the benchmark's config (`gatewayConfig`), so
 * the other checkout must accept it. Every request's last turn carries a unique reference (see `distinctRequests`).
 * CPU time is read from /proc (Linux only).
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {parseArgs} from 'node:util'

import {Pool} from 'undici'

import {cpuMicros, HAS_PROC} from './lib/procfs.js'
import {chatBody, conversation, distinctRequests, REQUEST_ID_MARK} from './lib/requests.js'
import {killAll, startGateway, startUpstream} from './lib/services.js'
import {quantile} from './lib/stats.js'

const {values, positionals} = parseArgs({
  allowPositionals: true,
  options: {
    stream: {type: 'boolean', default: false},
    pairs: {type: 'string', default: '30'},
    requests: {type: 'string', default: '1000'},
    connections: {type: 'string', default: '16'},
    warmup: {type: 'string', default: '15000'},
    json: {type: 'boolean', default: false},
  },
})
if (positionals.length !== 1) {
  console.error('usage: node bench/compare.mjs OTHER_CHECKOUT [--stream] [--pairs N] [--requests N] [--json]')
  process.exit(2)
}
if (!HAS_PROC) {
  console.error('bench/compare.mjs reads CPU time from /proc: run it on Linux')
  process.exit(2)
}
const pairs = Number(values.pairs)
const perBatch = Number(values.requests)
const connections = Number(values.connections)
const warmup = Number(values.warmup)
const other = resolve(positionals[0])

const template = chatBody('auto', values.stream, distinctRequests(conversation(0, 'chat')))
let sent = 0
const log = (line) => process.stderr.write(`compare: ${line}\n`)

/** Sends `count` requests over the pool's connections, each with its own reference; fails on anything but a 200. */
async function drive(pool, count) {
  let left = count
  await Promise.all(
    Array.from({length: connections}, async () => {
      while (left-- > 0) {
        const response = await pool.request({
          path: '/v1/chat/completions',
          method: 'POST',
          headers: {'content-type': 'application/json'},
          body: template.replaceAll(REQUEST_ID_MARK, String(++sent)),
        })
        const text = await response.body.text()
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${text.slice(0, 200)}`)
      }
    }),
  )
}

const dirs = []
const gateways = []
try {
  const upstream = await startUpstream()
  for (const [name, runJs] of [
    ['this', undefined],
    ['other', join(other, 'bin', 'run.js')],
  ]) {
    const dir = await mkdtemp(join(tmpdir(), 'router-compare-'))
    dirs.push(dir)
    const gateway = await startGateway({dir, upstreamUrl: upstream.url, runJs})
    gateways.push({name, gateway, pool: new Pool(gateway.url, {connections}), samples: []})
  }
  log(`warm-up: ${warmup} requests to each gateway`)
  for (const g of gateways) await drive(g.pool, warmup)
  log(
    `${pairs} pairs of ${perBatch} ${values.stream ? 'streamed' : 'non-streaming'} requests, ${connections} connections`,
  )
  for (let pair = 0; pair < pairs; pair++) {
    // Alternate which goes first, so that a drift within a pair favours neither.
    const order = pair % 2 === 0 ? gateways : [...gateways].reverse()
    for (const g of order) {
      const cpu = () => {
        const {user, system} = cpuMicros(g.gateway.pid)
        return user + system
      }
      const before = cpu()
      await drive(g.pool, perBatch)
      g.samples.push((cpu() - before) / perBatch)
    }
  }
  const [mine, theirs] = gateways
  const ratios = mine.samples.map((x, i) => x / theirs.samples[i])
  const diffs = mine.samples.map((x, i) => x - theirs.samples[i])
  const summary = (list, digits) => ({
    median: Number(quantile(list, 0.5).toFixed(digits)),
    q1: Number(quantile(list, 0.25).toFixed(digits)),
    q3: Number(quantile(list, 0.75).toFixed(digits)),
  })
  const result = {
    other,
    mode: values.stream ? 'stream' : 'json',
    pairs,
    requests_per_batch: perBatch,
    connections,
    cpu_us_per_request: {
      this: {min: Math.round(Math.min(...mine.samples)), median: Math.round(quantile(mine.samples, 0.5))},
      other: {min: Math.round(Math.min(...theirs.samples)), median: Math.round(quantile(theirs.samples, 0.5))},
    },
    ratio: summary(ratios, 3),
    difference_us: summary(diffs, 1),
  }
  if (values.json) {
    console.log(JSON.stringify(result, null, 2))
  } else {
    const {ratio, difference_us: d, cpu_us_per_request: c} = result
    console.log(`gateway CPU per request, ${result.mode}, ${pairs} pairs of ${perBatch} requests`)
    console.log(`  this checkout    min ${c.this.min} µs, median ${c.this.median} µs`)
    console.log(`  ${other}    min ${c.other.min} µs, median ${c.other.median} µs`)
    console.log(`  this ÷ other     median ${ratio.median} (quartiles ${ratio.q1}–${ratio.q3})`)
    console.log(`  this − other     median ${d.median} µs (quartiles ${d.q1} to ${d.q3})`)
  }
  for (const g of gateways) await g.pool.close()
} finally {
  killAll()
  for (const dir of dirs) await rm(dir, {recursive: true, force: true})
}
