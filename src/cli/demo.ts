/**
 * `router serve --demo`: three simulated providers on loopback (OpenAI, Gemini and Anthropic protocols, each failing
 * now and then the way the real one does), a profile that routes between them, and gentle sample traffic, so that a
 * new user sees routing, fallbacks and the dashboard with no keys at all. Part of the traffic is shaped like a coding
 * agent's (Codex CLI's Responses requests, Claude Code's Messages requests with a cached system prompt and
 * thinking), so the demo also shows big first events, cached tokens and thinking blocks going through.
 */
import {parseConfig, type LoadedConfig} from '../core/config/load.js'
import {startSim, type SimOptions, type SimServer} from '../sim/index.js'

/**
 * Simulated providers of the demo: realistic latencies, and each provider's own failures (see docs/sim.md), which
 * exercise every fallback path: OpenAI's rate limits, overload, resets and an account out of credit; Gemini's rate
 * limits; Anthropic's 529 "overloaded" and streams cut half way.
 */
const DEMO_SIMS: Array<{provider: string; options: SimOptions}> = [
  {
    provider: 'openai',
    options: {
      name: 'openai',
      latencyMs: 180,
      jitterMs: 250,
      tokensPerSecond: 160,
      streamChunks: 24,
      failureRate: 0.07,
      failureKinds: ['429', '503', 'reset', 'quota'],
    },
  },
  {
    provider: 'gemini',
    options: {
      name: 'gemini',
      latencyMs: 90,
      jitterMs: 120,
      tokensPerSecond: 260,
      streamChunks: 24,
      failureRate: 0.1,
      failureKinds: ['429'],
      retryAfterSeconds: 4,
    },
  },
  {
    provider: 'anthropic',
    options: {
      name: 'anthropic',
      protocol: 'anthropic',
      latencyMs: 300,
      jitterMs: 300,
      tokensPerSecond: 110,
      streamChunks: 24,
      failureRate: 0.05,
      failureKinds: ['529', 'drop'],
    },
  },
]

/** A coding agent's long, stable instructions: long enough (over 1024 tokens) for the providers to cache them. */
const AGENT_INSTRUCTIONS = Array.from(
  {length: 48},
  (_, i) =>
    `Rule ${i + 1}: read the files involved before editing, keep each change small, run the tests after it, and say what changed and why.`,
).join('\n')

/** The one tool of the demo's agent requests. */
const READ_FILE = {
  name: 'read_file',
  description: 'Reads a file of the workspace.',
  schema: {type: 'object', properties: {path: {type: 'string'}}, required: ['path']},
}

/** A sample request in one of the three API shapes: chat (most), Codex CLI's Responses, Claude Code's Messages. */
function sampleRequest(
  prompt: string,
  stream: boolean,
  draw: number,
): {path: string; headers: Record<string, string>; body: unknown} {
  if (draw < 0.2) {
    return {
      path: '/v1/responses',
      headers: {},
      body: {
        model: 'auto',
        instructions: AGENT_INSTRUCTIONS,
        input: prompt,
        stream: true,
        tools: [
          {type: 'function', name: READ_FILE.name, description: READ_FILE.description, parameters: READ_FILE.schema},
        ],
      },
    }
  }
  if (draw < 0.4) {
    return {
      path: '/v1/messages',
      headers: {'anthropic-version': '2023-06-01'},
      body: {
        model: 'auto',
        max_tokens: 2048,
        stream,
        system: [{type: 'text', text: AGENT_INSTRUCTIONS, cache_control: {type: 'ephemeral'}}],
        thinking: {type: 'enabled', budget_tokens: 1024},
        tools: [{name: READ_FILE.name, description: READ_FILE.description, input_schema: READ_FILE.schema}],
        messages: [{role: 'user', content: prompt}],
      },
    }
  }
  return {
    path: '/v1/chat/completions',
    headers: {},
    body: {model: 'auto', stream, messages: [{role: 'user', content: prompt}]},
  }
}

/** Sample prompts of every task and difficulty, so the demo shows the classifier at work. */
const DEMO_PROMPTS: string[] = [
  'What is the capital of Portugal?',
  'Write a haiku about autumn rain.',
  'Summarise the plot of Hamlet in three sentences.',
  'Write a Python function that checks whether a string is a palindrome.',
  'Implement a thread-safe LRU cache with TTL expiry in Rust, with tests.',
  'Why does this TypeScript code throw "Cannot read properties of undefined"?\n\n```ts\nconst user = users.find(u => u.id === id)\nconsole.log(user.name)\n```',
  'A train leaves at 3:40 pm and travels 210 km at 84 km/h. When does it arrive?',
  'Prove that the square root of 2 is irrational.',
  'Three friends split a bill of $84 so that Ana pays twice what Ben pays and Ben pays $6 more than Cai. How much does each pay?',
  'Design a multi-region rate limiter for an API gateway: consistency trade-offs, failure modes, and the data structures.',
  'Rewrite this paragraph in exactly three bullet points, all lowercase, without commas: Our quarterly results beat expectations, driven by strong demand in Europe and lower shipping costs.',
  'Extract the name, date and amount from: "Invoice 4471 for Jane Doe, due 2026-12-01, total 1,250.00 EUR" and answer as JSON.',
  'Give me three ideas for a team offsite in winter.',
  'Translate "Where is the nearest train station?" into Spanish and German.',
  'Explain the difference between TCP and UDP to a new engineer.',
  'Estimate how many piano tuners work in Chicago, step by step.',
]

export interface Demo {
  config: LoadedConfig
  /**
   * Settings the demo runs with: an account out of credit (the OpenAI sim's `quota` failures) cools down for 20 s and
   * then probes, instead of the 10 minutes a real one would, so the demo shows the whole cycle and keeps serving.
   */
  settings: {rate_limit_max_cooldown_seconds: number}
  sims: SimServer[]
  /** Starts sending sample requests to the gateway at `url`; returns the function that stops them. */
  startTraffic(url: string, options?: {intervalMs?: number}): () => void
  close(): Promise<void>
}

/** The demo profile: the built-in `balanced` profile over the three simulated accounts. */
export function demoProfile(urls: Record<string, string>): string {
  const accounts = DEMO_SIMS.map(
    ({provider}) => `  - name: ${provider}-sim
    provider: ${provider}
    base_url: ${urls[provider]}/v1
    api_key: demo-key-not-secret`,
  ).join('\n')
  return `# Demo profile: built-in "balanced" routes over three simulated providers.
schema_version: 1
profile:
  default: balanced
accounts:
${accounts}
`
}

/** Starts the simulated providers and compiles the demo profile against them. */
export async function startDemo(options: {seed?: number} = {}): Promise<Demo> {
  const sims: SimServer[] = []
  try {
    for (const [index, sim] of DEMO_SIMS.entries()) {
      sims.push(await startSim({...sim.options, seed: (options.seed ?? 7) + index}))
    }
  } catch (error) {
    await Promise.all(sims.map((s) => s.close()))
    throw error
  }
  const urls = Object.fromEntries(DEMO_SIMS.map((sim, i) => [sim.provider, sims[i].url]))
  const config = parseConfig(demoProfile(urls), '<demo profile>')
  return {
    config,
    settings: {rate_limit_max_cooldown_seconds: 20},
    sims,
    startTraffic: (url, trafficOptions) => startTraffic(url, trafficOptions?.intervalMs ?? 1500, options.seed ?? 7),
    close: async () => {
      await Promise.all(sims.map((s) => s.close()))
    },
  }
}

/** Sends one sample request every ~`intervalMs` (jittered), a third of them streamed, in the three API shapes. */
function startTraffic(url: string, intervalMs: number, seed: number): () => void {
  let state = seed >>> 0 || 1
  const random = (): number => {
    // xorshift32: the demo's traffic is the same on every run.
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x1_0000_0000
  }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const controller = new AbortController()
  const tick = (): void => {
    if (stopped) return
    const prompt = DEMO_PROMPTS[Math.floor(random() * DEMO_PROMPTS.length)]
    const request = sampleRequest(prompt, random() < 0.33, random())
    fetch(`${url}${request.path}`, {
      method: 'POST',
      headers: {'content-type': 'application/json', ...request.headers},
      body: JSON.stringify(request.body),
      signal: controller.signal,
    })
      .then((response) => response.arrayBuffer())
      .catch(() => undefined)
    timer = setTimeout(tick, intervalMs * (0.4 + random() * 1.2))
  }
  timer = setTimeout(tick, 300)
  return () => {
    stopped = true
    if (timer) clearTimeout(timer)
    controller.abort()
  }
}
