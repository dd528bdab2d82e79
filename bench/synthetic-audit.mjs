/**
 * Seeded synthetic gateway traffic as audit events (the schema of src/core/audit/schema.ts): decisions with their
 * signals and candidates, attempts with fallbacks on 503/429/timeouts, broken streams, rejected requests and breaker
 * transitions. Used by the dashboard load benchmark and to generate test/fixtures/audit/sample.jsonl.
 */

/** Small fast seeded PRNG (mulberry32): the same seed gives the same traffic. */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ROUTES = {
  general: {
    low: 'gemini/gemini-2.5-flash',
    medium: 'openai/gpt-5-mini',
    high: 'openai/gpt-5.2',
    xhigh: 'anthropic/claude-opus-4.5',
  },
  coding: {
    low: 'openai/gpt-5-mini',
    medium: 'anthropic/claude-sonnet-4.5',
    high: 'openai/gpt-5.2',
    xhigh: 'anthropic/claude-opus-4.5',
  },
  thinking: {
    low: 'gemini/gemini-2.5-flash',
    medium: 'gemini/gemini-2.5-pro',
    high: 'openai/gpt-5.2',
    xhigh: 'openai/gpt-5.2',
  },
  instruction_following: {
    low: 'gemini/gemini-2.5-flash',
    medium: 'openai/gpt-5-mini',
    high: 'anthropic/claude-sonnet-4.5',
    xhigh: 'anthropic/claude-sonnet-4.5',
  },
  image: {
    low: 'gemini/gemini-2.5-flash',
    medium: 'gemini/gemini-2.5-flash',
    high: 'openai/gpt-5.2',
    xhigh: 'openai/gpt-5.2',
  },
}
const FALLBACK = ['gemini/gemini-2.5-flash', 'openai/gpt-5-mini']
const ACCOUNTS = {openai: ['openai-work', 'openai-personal'], anthropic: ['anthropic-team'], gemini: ['gemini-free']}
const BASE_LATENCY = {
  'gemini/gemini-2.5-flash': 450,
  'openai/gpt-5-mini': 700,
  'gemini/gemini-2.5-pro': 1600,
  'anthropic/claude-sonnet-4.5': 1400,
  'openai/gpt-5.2': 2100,
  'anthropic/claude-opus-4.5': 3200,
}
/** USD per 1 000 prompt and completion tokens, for `proxy_response.cost_usd` (as the gateway prices answers). */
const PRICES = {
  'gemini/gemini-2.5-flash': [0.0003, 0.0025],
  'openai/gpt-5-mini': [0.00025, 0.002],
  'gemini/gemini-2.5-pro': [0.00125, 0.01],
  'anthropic/claude-sonnet-4.5': [0.003, 0.015],
  'openai/gpt-5.2': [0.00175, 0.014],
  'anthropic/claude-opus-4.5': [0.005, 0.025],
}
const SIGNALS = {
  general: [{name: 'plain_question', target: 'general', weight: 1, detail: 'short question'}],
  coding: [
    {name: 'code_fence', target: 'coding', weight: 2.5, detail: '```ts fence, 22 lines'},
    {name: 'stack_trace', target: 'coding', weight: 1.5, detail: 'TypeError trace'},
  ],
  thinking: [
    {name: 'math_word_problem', target: 'thinking', weight: 2, detail: 'numbers and "how many"'},
    {name: 'reasoning_effort', target: 'complexity', weight: 1, detail: 'reasoning_effort=high'},
  ],
  instruction_following: [
    {name: 'format_constraints', target: 'instruction_following', weight: 1.8, detail: '3 numbered constraints'},
  ],
  image: [{name: 'image_part', target: 'image', weight: 3, detail: '1 image_url part'}],
}
const TASKS = [
  ['general', 0.3],
  ['coding', 0.35],
  ['thinking', 0.15],
  ['instruction_following', 0.15],
  ['image', 0.05],
]
const COMPLEXITIES = [
  ['low', 0.35],
  ['medium', 0.35],
  ['high', 0.22],
  ['xhigh', 0.08],
]

function pick(random, weighted) {
  let r = random()
  for (const [value, weight] of weighted) {
    if (r < weight) return value
    r -= weight
  }
  return weighted.at(-1)[0]
}

const provider = (model) => model.slice(0, model.indexOf('/'))
const iso = (ms) => new Date(ms).toISOString()

/** A traffic generator; `request(atMs)` returns the events of one request, `circuit(...)` a breaker transition. */
export function createTraffic({seed = 1} = {}) {
  const random = prng(seed)
  let counter = 0
  const hex = () =>
    Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0')

  function accountFor(model, index) {
    const list = ACCOUNTS[provider(model)]
    return list[index % list.length]
  }

  function request(at) {
    counter++
    const id = `req_${hex()}${hex().slice(0, 4)}`
    const task = pick(random, TASKS)
    const complexity = pick(random, COMPLEXITIES)
    const stream = random() < 0.4
    const selected = ROUTES[task][complexity]
    const chain = [selected, ...FALLBACK.filter((m) => m !== selected)]
    const events = []
    const roll = random()
    if (roll < 0.02) {
      // Rejected before routing: invalid JSON body.
      events.push({
        ts: iso(at),
        request_id: id,
        event: 'proxy_terminal',
        endpoint: 'chat.completions',
        outcome: 'rejected',
        status: 400,
        task: null,
        complexity: null,
        model: null,
        account: null,
        provider: null,
        stream: false,
        latency_ms: 0.6,
        attempts: [],
        error_type: null,
        error_code: 'invalid_json',
      })
      return events
    }
    const decisionMs = 0.2 + random() * 0.8
    events.push({
      ts: iso(at),
      request_id: id,
      event: 'route_decision',
      endpoint: 'chat.completions',
      source: random() < 0.9 ? 'auto' : 'request',
      requested_model: 'auto',
      task,
      complexity,
      selected_model: selected,
      fallback_models: chain.slice(1),
      profile: 'balanced',
      stream,
      decision_ms: Math.round(decisionMs * 100) / 100,
      signals: [
        ...SIGNALS[task],
        {
          name: 'prompt_length',
          target: 'complexity',
          weight: complexity === 'low' ? -0.5 : 0.8,
          detail: `${Math.round(200 + random() * 4000)} tokens`,
        },
      ],
      candidates: [
        ...chain.map((model, i) => ({
          model,
          rank: i + 1,
          score: Math.round((0.92 - i * 0.11) * 1000) / 1000,
          excluded: false,
          exclusion: null,
        })),
        {
          model: 'openai/gpt-4o-mini',
          rank: null,
          score: null,
          excluded: true,
          exclusion: task === 'image' ? 'no_vision' : 'context_too_small',
        },
      ],
    })
    // How the first attempts fail before one succeeds (or all fail).
    const failures = []
    if (roll < 0.07) failures.push({status: 503})
    else if (roll < 0.1) failures.push({status: 429})
    else if (roll < 0.12) failures.push({error: 'connect_timeout'})
    else if (roll < 0.13) failures.push({status: 502}, {status: 503}, {error: 'headers_timeout'})
    const brokenStream = stream && roll >= 0.13 && roll < 0.16
    let t = at + decisionMs
    const attempts = []
    const tried = Math.min(chain.length, failures.length + 1)
    for (let i = 0; i < tried; i++) {
      const model = chain[i]
      const target = {model, account: accountFor(model, counter + i), provider: provider(model)}
      const base = {request_id: id, ...target, attempt: i + 1}
      const failure = failures[i]
      events.push({
        ts: iso(t),
        ...base,
        event: 'proxy_attempt',
        upstream_model: model.slice(model.indexOf('/') + 1),
        stream,
      })
      const connect = Math.round(60 + random() * 240)
      if (failure?.error) {
        const waited = failure.error === 'connect_timeout' ? 5000 : 30_000
        t += waited
        events.push({
          ts: iso(t),
          ...base,
          event: 'proxy_request_error',
          error_type: failure.error,
          message: `${failure.error.replace('_', ' ')} after ${waited} ms`,
          latency_ms: waited,
        })
        if (i < tried - 1)
          events.push({
            ts: iso(t),
            ...base,
            event: 'proxy_retry',
            status: null,
            error_type: failure.error,
            reason: failure.error.replace('_', ' '),
          })
        attempts.push({...target, status: null, error_type: failure.error, latency_ms: waited, ok: false})
        continue
      }
      if (failure?.status) {
        t += connect
        events.push({
          ts: iso(t),
          ...base,
          event: 'proxy_upstream_connected',
          status: failure.status,
          connect_ms: connect,
        })
        events.push({
          ts: iso(t + 3),
          ...base,
          event: 'proxy_response',
          status: failure.status,
          stream,
          connect_ms: connect,
          latency_ms: connect + 3,
          bytes: 180,
          usage: null,
        })
        if (failure.status === 429) {
          events.push({
            ts: iso(t + 3),
            ...base,
            event: 'proxy_rate_limited',
            status: 429,
            retry_after_ms: 20_000,
            cooldown_until: iso(t + 20_003),
          })
        }
        if (i < tried - 1)
          events.push({
            ts: iso(t + 3),
            ...base,
            event: 'proxy_retry',
            status: failure.status,
            error_type: 'upstream_status',
            reason: `upstream answered ${failure.status}`,
          })
        t += 3
        attempts.push({
          ...target,
          status: failure.status,
          error_type: 'upstream_status',
          latency_ms: connect + 3,
          ok: false,
        })
        continue
      }
      const latency = Math.max(connect + 20, Math.round(BASE_LATENCY[model] * (0.5 + random() * random() * 2.5)))
      events.push({ts: iso(t + connect), ...base, event: 'proxy_upstream_connected', status: 200, connect_ms: connect})
      t += latency
      if (brokenStream) {
        events.push({
          ts: iso(t),
          ...base,
          event: 'proxy_stream_error',
          error_type: 'idle_timeout',
          message: 'no chunk for 30000 ms',
          bytes_sent: 2048,
        })
        attempts.push({...target, status: 200, error_type: 'idle_timeout', latency_ms: latency, ok: false})
      } else {
        const completion = Math.round(20 + random() * 800)
        const prompt = Math.round(50 + random() * 3000)
        const [input, output] = PRICES[model]
        events.push({
          ts: iso(t),
          ...base,
          event: 'proxy_response',
          status: 200,
          stream,
          connect_ms: connect,
          latency_ms: latency,
          bytes: completion * 4 + 300,
          usage: {prompt_tokens: prompt, completion_tokens: completion},
          cost_usd: Math.round(((prompt / 1000) * input + (completion / 1000) * output) * 1e9) / 1e9,
        })
        attempts.push({...target, status: 200, error_type: null, latency_ms: latency, ok: true})
      }
    }
    const last = attempts.at(-1)
    if (!last.ok && !brokenStream && attempts.length === chain.length) {
      events.push({ts: iso(t + 1), request_id: id, event: 'proxy_exhausted', status: 502, attempts, skipped: []})
    }
    const outcome = brokenStream ? 'stream_error' : last.ok ? 'success' : 'exhausted'
    events.push({
      ts: iso(t + 2),
      request_id: id,
      event: 'proxy_terminal',
      endpoint: 'chat.completions',
      outcome,
      status: brokenStream ? 200 : last.ok ? 200 : 502,
      task,
      complexity,
      model: last.model,
      account: last.account,
      provider: last.provider,
      stream,
      latency_ms: Math.round(t + 2 - at),
      attempts,
      error_type: outcome === 'success' ? null : last.error_type,
      error_code: null,
    })
    return events
  }

  function circuit(at, account, model, state, previous) {
    return {
      ts: iso(at),
      event: 'circuit_state',
      account,
      model,
      provider: model ? provider(model) : provider(`${account.split('-')[0]}/x`),
      state,
      previous,
      reason:
        state === 'open'
          ? '5 consecutive retryable failures'
          : state === 'half_open'
            ? 'recovery time elapsed'
            : 'probe succeeded',
    }
  }

  return {request, circuit}
}
