#!/usr/bin/env node
/**
 * How many answered requests a SIGKILL takes out of the audit log. Starts `router sim --fast` and a real
 * `router serve` (audit log on, `ROUTER_AUDIT_LOG_FLUSH_INTERVAL_MS` as given), sends chat requests at a fixed
 * concurrency for a few seconds, kills the gateway with SIGKILL while requests are in flight, and counts the requests
 * whose answer the client had received in full but whose `proxy_terminal` is not in the log, and how long before the
 * kill the oldest of them was answered.
 *
 *   node bench/audit-kill.js [--interval-ms 10] [--connections 32] [--seconds 3] [--runs 5]
 *
 * Needs a build (`npm run build`). Not part of `npm run bench`; figures are in docs/gateway.md ("Audit log").
 */
import {spawn} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'
import {Pool} from 'undici'

import {RUN_JS, UPSTREAM_KEY, gatewayConfig, killAll, startUpstream} from './lib/services.js'

const {values} = parseArgs({
  options: {
    'interval-ms': {type: 'string', default: '10'},
    connections: {type: 'string', default: '32'},
    seconds: {type: 'string', default: '3'},
    runs: {type: 'string', default: '5'},
  },
})
const intervalMs = Number(values['interval-ms'])
const connections = Number(values.connections)
const seconds = Number(values.seconds)
const runs = Number(values.runs)

const body = JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'Say hello in one short sentence.'}]})

async function once(upstreamUrl) {
  const dir = await mkdtemp(join(tmpdir(), 'router-audit-kill-'))
  const config = join(dir, 'router.yaml')
  const auditPath = join(dir, 'audit.jsonl')
  await writeFile(config, gatewayConfig(upstreamUrl))
  const child = spawn(
    process.execPath,
    [RUN_JS, 'serve', '--config', config, '--host', '127.0.0.1', '--port', '0', '--no-tui'],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        NODE_OPTIONS: '',
        BENCH_UPSTREAM_KEY: UPSTREAM_KEY,
        ROUTER_AUDIT_LOG_PATH: auditPath,
        ROUTER_AUDIT_LOG_FLUSH_INTERVAL_MS: String(intervalMs),
        LIVE_METRICS_ENABLED: 'false',
      },
    },
  )
  const url = await new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`router serve exited with ${code}: ${stderr}`)))
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const pool = new Pool(url, {connections})
  const answered = []
  let stop = false
  const worker = async () => {
    while (!stop) {
      try {
        const response = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: {'content-type': 'application/json'},
          body,
        })
        await response.body.text()
        if (response.statusCode === 200)
          answered.push({id: response.headers['x-router-request-id'], at: performance.now()})
      } catch {
        return
      }
    }
  }
  const workers = Array.from({length: connections}, worker)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const before = answered.length
  const killedAt = performance.now()
  child.kill('SIGKILL')
  stop = true
  await exited
  await Promise.allSettled(workers)
  await pool.destroy()
  const log = await readFile(auditPath, 'utf8').catch(() => '')
  const logged = new Set()
  for (const line of log.split('\n')) {
    if (!line.includes('"proxy_terminal"')) continue
    logged.add(JSON.parse(line).request_id)
  }
  const missing = answered.filter((answer) => !logged.has(answer.id))
  // How long before the kill the oldest lost answer had reached its client.
  const oldest = missing.length === 0 ? 0 : Math.max(0, ...missing.map((answer) => killedAt - answer.at))
  await rm(dir, {recursive: true, force: true})
  return {answered: answered.length, perSecond: before / seconds, lost: missing.length, oldestMs: oldest}
}

const upstream = await startUpstream()
try {
  const results = []
  for (let i = 0; i < runs; i++) {
    const result = await once(upstream.url)
    results.push(result)
    console.log(
      `run ${i + 1}: ${result.answered} answered (${Math.round(result.perSecond)}/s), ${result.lost} missing from the audit log after SIGKILL, ` +
        `answered at most ${result.oldestMs.toFixed(1)} ms before the kill`,
    )
  }
  const lost = results.map((r) => r.lost).sort((a, b) => a - b)
  const rate = results.reduce((sum, r) => sum + r.perSecond, 0) / results.length
  console.log(
    `flush interval ${intervalMs} ms, ${connections} connections, ~${Math.round(rate)} requests/s: lost per kill min ${lost[0]}, median ${lost[Math.floor(lost.length / 2)]}, max ${lost.at(-1)}` +
      `; the oldest lost answer reached its client ${Math.max(...results.map((r) => r.oldestMs)).toFixed(1)} ms before the kill`,
  )
} finally {
  killAll()
}
