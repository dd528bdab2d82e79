#!/usr/bin/env node
/**
 * Dashboard load benchmark: renders the live dashboard into a fake 120×40 terminal and feeds it synthetic audit
 * events (default 1000 per second for 20 s) through an in-process bus, as `router serve` does; then prints the
 * process CPU use, terminal writes, event-loop delay and memory. Run `npm run build` first, and set NODE_ENV=production
 * as `router metrics tail` does (React's development build is several times slower).
 *
 * With --expose-gc it also reports the heap after a full GC at the start and the end: memory must stay flat.
 *
 *   NODE_ENV=production node --expose-gc bench/tui-load.mjs [--rate 1000] [--seconds 20] [--columns 120] [--rows 40] [--frame-ms 100]
 */
import {EventEmitter} from 'node:events'
import {monitorEventLoopDelay} from 'node:perf_hooks'
import {parseArgs} from 'node:util'

import {AuditEventBus} from '../dist/core/audit/event-bus.js'
import {renderDashboard} from '../dist/tui/render-dashboard.js'
import {createTraffic} from './synthetic-audit.mjs'

const {values} = parseArgs({
  options: {
    rate: {type: 'string', default: '1000'},
    seconds: {type: 'string', default: '20'},
    columns: {type: 'string', default: '120'},
    rows: {type: 'string', default: '40'},
    'frame-ms': {type: 'string', default: '100'},
  },
})
const rate = Number(values.rate)
const seconds = Number(values.seconds)

class FakeStdout extends EventEmitter {
  columns = Number(values.columns)
  rows = Number(values.rows)
  isTTY = true
  writes = 0
  bytes = 0
  write(chunk) {
    this.writes++
    this.bytes += chunk.length
    return true
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null
  }
}

const stdout = new FakeStdout()
const bus = new AuditEventBus()
const dashboard = renderDashboard({
  source: bus,
  info: {title: 'Open-LLM Router (bench)', address: 'http://127.0.0.1:8000', startedAt: Date.now()},
  stdout,
  stdin: new FakeStdin(),
  patchConsole: false,
  frameIntervalMs: Number(values['frame-ms']),
})

// Events are made before the clock starts, stamped with the times they are due: the measure is the dashboard's.
const traffic = createTraffic({seed: 7})
const planned = []
const start = Date.now() + 200
let requests = 0
while (planned.length < rate * seconds) {
  const due = start + (planned.length / rate) * 1000
  planned.push(...traffic.request(due))
  // Now and then a breaker opens and recovers, as under real trouble.
  if (++requests % 500 === 0) {
    const open = (requests / 500) % 2 === 1
    planned.push(
      traffic.circuit(due, 'openai-work', 'openai/gpt-5.2', open ? 'open' : 'closed', open ? 'closed' : 'open'),
    )
  }
}
planned.length = rate * seconds
await new Promise((resolve) => setTimeout(resolve, start - Date.now()))

const heapAfterGc = () => {
  globalThis.gc?.()
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10
}
const heapStart = globalThis.gc ? heapAfterGc() : null
const loopDelay = monitorEventLoopDelay({resolution: 10})
loopDelay.enable()
const cpuStart = process.cpuUsage()
const wallStart = performance.now()
const writesStart = stdout.writes
let published = 0

await new Promise((resolve) => {
  // Every 10 ms, publish what is due by now (catching up if the timer was late).
  const timer = setInterval(() => {
    const due = Math.min(planned.length, Math.floor(((performance.now() - wallStart) / 1000) * rate))
    while (published < due) bus.publish(planned[published++])
    if (published >= planned.length) {
      clearInterval(timer)
      resolve()
    }
  }, 10)
})

const wallMs = performance.now() - wallStart
const cpu = process.cpuUsage(cpuStart)
loopDelay.disable()
// Ink writes a frame in one or two writes (new lines of the decision log, then the live area).
const writes = stdout.writes - writesStart
const heapEnd = globalThis.gc ? heapAfterGc() : null
const snapshot = dashboard.store.metrics.snapshot()
dashboard.unmount()

const cpuPercent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100
const report = {
  node_env: process.env.NODE_ENV ?? '(unset: React development build)',
  events: published,
  events_per_second: Math.round(published / (wallMs / 1000)),
  seconds: Math.round(wallMs / 100) / 10,
  terminal: `${stdout.columns}x${stdout.rows}`,
  cpu_percent: Math.round(cpuPercent * 10) / 10,
  cpu_user_ms: Math.round(cpu.user / 1000),
  cpu_system_ms: Math.round(cpu.system / 1000),
  cpu_ms_per_1000_events: Math.round(((cpu.user + cpu.system) / 1000 / published) * 1000),
  terminal_writes: writes,
  writes_per_second: Math.round((writes / (wallMs / 1000)) * 10) / 10,
  bytes_written: stdout.bytes,
  event_loop_delay_ms: {
    p50: Math.round(loopDelay.percentile(50) / 1e5) / 10,
    p99: Math.round(loopDelay.percentile(99) / 1e5) / 10,
    max: Math.round(loopDelay.max / 1e5) / 10,
  },
  heap_used_mb: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
  heap_after_gc_mb: heapStart === null ? '(run with --expose-gc)' : {start: heapStart, end: heapEnd},
  rss_mb: Math.round(process.memoryUsage().rss / 1e5) / 10,
  requests_seen: snapshot.totals.requests_total,
  rps_shown: snapshot.totals.rps,
}
console.log(JSON.stringify(report, null, 2))
process.exit(0)
