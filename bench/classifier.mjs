/**
 * Classifier benchmark: median and p99 of `classifyRequest` for a 2 KB and a 100 KB chat request.
 * Run `npm run build` first; this imports the compiled classifier from dist/.
 *   node bench/classifier.mjs [--iterations 5000]
 */
import os from 'node:os'
import {performance} from 'node:perf_hooks'

const distUrl = process.env.CLASSIFIER_MODULE ?? new URL('../dist/core/routing/classifier.js', import.meta.url).href
const {classifyRequest} = await import(distUrl)

const iterationsArg = process.argv.indexOf('--iterations')
const iterations = iterationsArg === -1 ? 5000 : Number(process.argv[iterationsArg + 1])

const paragraphs = [
  'We are migrating our billing service from a monolith to microservices and need to keep invoices consistent. ',
  'Here is the current handler:\n\n```python\ndef charge(customer_id, amount):\n    invoice = Invoice.create(customer_id, amount)\n    gateway.charge(invoice)\n    return invoice\n```\n\n',
  'The team asked for exactly three options, each under 50 words, and a recommendation at the end. ',
  'A train leaves at 9:45 and travels 210 km at 84 km/h; how many minutes does the trip take? ',
  'Please also explain the trade-offs between an outbox table and change data capture for the event stream. ',
]

/** Builds a chat request whose JSON body is about `bytes` long: a system prompt, a few turns, a long last turn. */
function chatRequest(bytes) {
  const messages = [
    {role: 'system', content: 'You are a careful senior engineer. Answer precisely.'},
    {role: 'user', content: 'Can you help me with our billing service?'},
    {role: 'assistant', content: 'Of course. What does the service look like today?'},
  ]
  let text = ''
  for (let i = 0; JSON.stringify({model: 'auto', messages: [...messages, {role: 'user', content: text}]}).length < bytes; i++) {
    text += paragraphs[i % paragraphs.length]
  }
  return {model: 'auto', stream: true, messages: [...messages, {role: 'user', content: text}]}
}

function measure(label, body) {
  const size = JSON.stringify(body).length
  // Warm up the JIT before timing.
  for (let i = 0; i < 500; i++) classifyRequest(body, 'chat.completions')
  const samples = new Float64Array(iterations)
  for (let i = 0; i < iterations; i++) {
    const start = performance.now()
    classifyRequest(body, 'chat.completions')
    samples[i] = performance.now() - start
  }
  samples.sort()
  const pick = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]
  const us = (ms) => `${(ms * 1000).toFixed(1)} µs`
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length
  console.log(
    `${label.padEnd(8)} ${String(size).padStart(7)} B   median ${us(pick(0.5)).padStart(10)}   p99 ${us(pick(0.99)).padStart(10)}` +
      `   mean ${us(mean).padStart(10)}`,
  )
  return {median_ms: pick(0.5), p99_ms: pick(0.99)}
}

// Wall-clock percentiles include time the process spends descheduled: on a busy machine, read them with the load.
console.log(`classifyRequest, ${iterations} iterations each; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`)
measure('2 KB', chatRequest(2 * 1024))
measure('100 KB', chatRequest(100 * 1024))
