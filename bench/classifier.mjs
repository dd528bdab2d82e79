/**
 * Classifier benchmark: median, p99 and mean wall-clock time, mean CPU time and bytes allocated per call of
 * `classifyRequest` for a 1 KB, a 2 KB and a 100 KB chat request.
 * Run `npm run build` first; this imports the compiled classifier from dist/ (or from `CLASSIFIER_MODULE`, a file URL,
 * to compare two builds).
 *   node bench/classifier.mjs [--iterations 5000] [--json]
 *
 * Allocations are measured in a child process with a fixed 64 MB young generation and `--expose-gc`: after a full
 * collection, a batch of calls runs with no collection in between (checked with `v8.GCProfiler`), and the growth
 * of the heap divided by the batch size is the bytes allocated per call. The least of several batches is reported
 * (the others include the JIT's own heap objects).
 */
import {execFileSync} from 'node:child_process'
import os from 'node:os'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'
import v8 from 'node:v8'

import {mixedChat} from './lib/document.js'

const distUrl = process.env.CLASSIFIER_MODULE ?? new URL('../dist/core/routing/classifier.js', import.meta.url).href
const {classifyRequest} = await import(distUrl)

const args = process.argv.slice(2)
const iterationsArg = args.indexOf('--iterations')
const iterations = iterationsArg === -1 ? 5000 : Number(args[iterationsArg + 1])
const json = args.includes('--json')

const CASES = {'1 KB': mixedChat(1024), '2 KB': mixedChat(2 * 1024), '100 KB': mixedChat(100 * 1024)}

/** Bytes allocated per call of `classifyRequest(body)`: the least heap growth over batches with no collection. */
function allocatedPerCall(body) {
  const gc = globalThis.gc
  for (let i = 0; i < 1000; i++) classifyRequest(body, 'chat.completions')
  const batch = 200
  let least = Number.POSITIVE_INFINITY
  for (let round = 0; round < 15; round++) {
    gc()
    const profiler = new v8.GCProfiler()
    profiler.start()
    const before = v8.getHeapStatistics().used_heap_size
    for (let i = 0; i < batch; i++) classifyRequest(body, 'chat.completions')
    const after = v8.getHeapStatistics().used_heap_size
    if (profiler.stop().statistics.length === 0) least = Math.min(least, (after - before) / batch)
  }
  return Number.isFinite(least) ? Math.round(least) : null
}

if (args.includes('--allocations-only')) {
  const result = Object.fromEntries(Object.entries(CASES).map(([label, body]) => [label, allocatedPerCall(body)]))
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}

function measure(body) {
  // Warm up the JIT before timing.
  for (let i = 0; i < 500; i++) classifyRequest(body, 'chat.completions')
  const samples = new Float64Array(iterations)
  const cpuStart = process.cpuUsage()
  for (let i = 0; i < iterations; i++) {
    const start = performance.now()
    classifyRequest(body, 'chat.completions')
    samples[i] = performance.now() - start
  }
  const cpu = process.cpuUsage(cpuStart)
  samples.sort()
  const pick = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] * 1000
  const mean = (samples.reduce((sum, x) => sum + x, 0) / samples.length) * 1000
  const round = (us) => Math.round(us * 10) / 10
  return {
    bytes: JSON.stringify(body).length,
    median_us: round(pick(0.5)),
    p99_us: round(pick(0.99)),
    mean_us: round(mean),
    cpu_mean_us: round((cpu.user + cpu.system) / iterations),
  }
}

const results = Object.fromEntries(Object.entries(CASES).map(([label, body]) => [label, measure(body)]))
const allocations = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--min-semi-space-size=64',
      '--max-semi-space-size=64',
      fileURLToPath(import.meta.url),
      '--allocations-only',
    ],
    {env: {...process.env, CLASSIFIER_MODULE: distUrl}, encoding: 'utf8'},
  ),
)
for (const [label, result] of Object.entries(results)) result.allocated_bytes = allocations[label]

if (json) {
  process.stdout.write(`${JSON.stringify(results)}\n`)
} else {
  // Wall-clock percentiles include time the process spends descheduled: on a busy machine, read them with the load.
  const us = (value) => `${value.toFixed(1)} µs`.padStart(10)
  console.log(
    `classifyRequest, ${iterations} iterations each; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs`,
  )
  for (const [label, r] of Object.entries(results)) {
    console.log(
      `${label.padEnd(8)} ${String(r.bytes).padStart(7)} B   median ${us(r.median_us)}   p99 ${us(r.p99_us)}   mean ${us(r.mean_us)}` +
        `   CPU ${us(r.cpu_mean_us)}   allocated ${String(r.allocated_bytes ?? '?').padStart(8)} B/call`,
    )
  }
}
