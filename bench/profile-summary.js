#!/usr/bin/env node
/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`, e.g. `npm run bench -- --profile`): the functions with the
 * most self time, the same time grouped by package or source file, and the inclusive time of this project's own
 * functions. Optionally only inside time windows (the benchmark passes the gateway's measured load runs) and per
 * request.
 *
 *   node bench/profile-summary.js FILE.cpuprofile [--top 25] [--requests N] [--window FROM_US:TO_US ...] [--json]
 *
 * Windows are in microseconds of the monotonic clock (`process.hrtime`), the clock V8 stamps samples with.
 */
import {readFileSync} from 'node:fs'
import {parseArgs} from 'node:util'
import {fileURLToPath} from 'node:url'

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

/** Where a frame's code lives: `fastify`, `undici`, `node:internal/streams`, `src/gateway/proxy.ts`, or `(gc)`. */
export function areaOf(callFrame) {
  const {url, functionName} = callFrame
  if (!url) return SPECIAL.has(functionName) ? functionName : '(native)'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/')
    return `node:${parts.slice(0, parts[0] === 'internal' ? 2 : 1).join('/')}`
  }
  const dist = url.lastIndexOf('/dist/')
  if (dist !== -1) return 'src/' + url.slice(dist + 6).replace(/\.js$/, '.ts')
  return url.replace(/^file:\/\//, '')
}

function frameLabel(callFrame) {
  const name = callFrame.functionName || '(anonymous)'
  if (!callFrame.url) return name
  return `${name} ${areaOf(callFrame)}:${callFrame.lineNumber + 1}`
}

/**
 * Self and inclusive time per function and self time per area, in microseconds, from the samples inside `windows`
 * (all samples when none are given). `(idle)` samples are counted apart and left out of `busyUs`.
 */
export function summarizeProfile(profile, {windows = []} = {}) {
  const byId = new Map()
  const parent = new Map()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  const inside = (t) => windows.length === 0 || windows.some(([from, to]) => t >= from && t <= to)
  const self = new Map()
  const area = new Map()
  const inclusive = new Map()
  let busy = 0
  let idle = 0
  let t = profile.startTime
  const {samples, timeDeltas} = profile
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i]
    // A sample stands for the time until the next one (the last gets the previous gap).
    const duration = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : timeDeltas[i]
    if (!inside(t) || duration < 0) continue
    const node = byId.get(samples[i])
    if (!node) continue
    const frame = node.callFrame
    if (frame.functionName === '(idle)') {
      idle += duration
      continue
    }
    busy += duration
    const label = frameLabel(frame)
    self.set(label, (self.get(label) ?? 0) + duration)
    const where = areaOf(frame)
    area.set(where, (area.get(where) ?? 0) + duration)
    // Inclusive time of this project's own functions: each function once per sample, however deep the recursion.
    const seen = new Set()
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame
      if (!f.url || !f.url.includes('/dist/')) continue
      const own = frameLabel(f)
      if (seen.has(own)) continue
      seen.add(own)
      inclusive.set(own, (inclusive.get(own) ?? 0) + duration)
    }
  }
  const sorted = (map) => [...map].map(([name, us]) => ({name, us})).sort((a, b) => b.us - a.us)
  return {busyUs: busy, idleUs: idle, self: sorted(self), areas: sorted(area), inclusive: sorted(inclusive)}
}

/** The summary as text: three tables, each with µs, share of busy time and, given `requests`, µs per request. */
export function formatSummary(summary, {top = 25, requests} = {}) {
  const lines = []
  const busy = summary.busyUs
  const perRequest = requests ? (us) => `${(us / requests).toFixed(2).padStart(8)} µs/req` : () => ''
  const row = (entry) =>
    `  ${(entry.us / 1000).toFixed(1).padStart(9)} ms ${((100 * entry.us) / busy).toFixed(1).padStart(5)}% ${perRequest(entry.us)}  ${entry.name}`
  lines.push(
    `busy ${(busy / 1000).toFixed(0)} ms` +
      (requests ? ` over ${requests} requests = ${(busy / requests).toFixed(1)} µs/request` : '') +
      `, idle ${(summary.idleUs / 1000).toFixed(0)} ms`,
  )
  lines.push('', `top ${top} functions by self time:`)
  for (const entry of summary.self.slice(0, top)) lines.push(row(entry))
  lines.push('', 'self time by package or source file:')
  for (const entry of summary.areas.slice(0, 20)) lines.push(row(entry))
  lines.push('', "inclusive time of the project's own functions:")
  for (const entry of summary.inclusive.slice(0, top)) lines.push(row(entry))
  return lines.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      top: {type: 'string', default: '25'},
      requests: {type: 'string'},
      window: {type: 'string', multiple: true, default: []},
      json: {type: 'boolean', default: false},
    },
  })
  if (positionals.length !== 1) {
    process.stderr.write(
      'usage: node bench/profile-summary.js FILE.cpuprofile [--top N] [--requests N] [--window FROM_US:TO_US] [--json]\n',
    )
    process.exit(2)
  }
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8'))
  const windows = values.window.map((w) => w.split(':').map(Number))
  const summary = summarizeProfile(profile, {windows})
  const top = Number(values.top)
  if (values.json) {
    process.stdout.write(
      JSON.stringify(
        {...summary, self: summary.self.slice(0, top), inclusive: summary.inclusive.slice(0, top)},
        null,
        2,
      ) + '\n',
    )
  } else {
    process.stdout.write(
      formatSummary(summary, {top, requests: values.requests ? Number(values.requests) : undefined}) + '\n',
    )
  }
}
