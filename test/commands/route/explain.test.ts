import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RoutingDecisionSchema} from '../../../src/core/routing/schema.js'
import {CODEX_TOOLS} from '../../helpers/agent-tools.js'
import {type CliResult, runCli} from '../../helpers/run-cli.js'

/** Runs `router route explain …` in `cwd` (no ROUTING_CONFIG_PATH unless `env` sets it), with standard input. */
function explain(
  args: string[],
  options: {cwd: string; stdin?: string; env?: Record<string, string>},
): Promise<CliResult> {
  return runCli(['route', 'explain', ...args], {cwd: options.cwd, env: options.env, input: options.stdin ?? ''})
}

const CONFIG = `# a raw runtime config
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/gpt-5.2: {}
  anthropic/claude-sonnet-4.5: {}
accounts:
  - name: openai
    provider: openai
    base_url: http://127.0.0.1:9/v1
  - name: anthropic
    provider: anthropic
    base_url: http://127.0.0.1:9/v1
task_routes:
  general: {low: [openai/gpt-5-mini], medium: [openai/gpt-5-mini], high: [openai/gpt-5.2]}
  coding: {low: [openai/gpt-5-mini], high: [anthropic/claude-sonnet-4.5, openai/gpt-5.2]}
fallback_models: [openai/gpt-5.2]
`

let dir: string
let empty: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'route-explain-'))
  empty = await mkdtemp(join(tmpdir(), 'route-explain-empty-'))
  await writeFile(join(dir, 'router.yaml'), CONFIG)
  await writeFile(join(dir, 'broken.yaml'), 'default_model: openai/gpt-5-mini\nmodels:\n  - [unclosed\n')
  await writeFile(
    join(dir, 'request.json'),
    JSON.stringify({
      model: 'auto',
      messages: [{role: 'user', content: 'Refactor this function'}],
      router: {task: 'coding', complexity: 'high'},
      tools: [{type: 'function', function: {name: 'run_tests', parameters: {type: 'object', properties: {}}}}],
    }),
  )
  await writeFile(join(dir, 'bad-request.json'), '{\n  "model": "auto",\n  "messages": [,]\n}\n')
  await writeFile(
    join(dir, 'codex-turn.json'),
    JSON.stringify({
      model: 'auto',
      input: 'Refactor the parser',
      tools: CODEX_TOOLS,
      router: {task: 'coding', complexity: 'high'},
    }),
  )
  await writeFile(
    join(dir, 'selfhosted.yaml'),
    'default_model: openai-compatible/my-llama\nmodels:\n  openai/gpt-5-mini: {}\naccounts:\n  - {name: local, provider: openai-compatible, base_url: http://127.0.0.1:9/v1}\n  - {name: openai, provider: openai, base_url: http://127.0.0.1:9/v1}\ntask_routes:\n  general: {default: [openai-compatible/my-llama, openai/gpt-5-mini]}\n',
  )
  await writeFile(
    join(dir, 'long-turn.json'),
    JSON.stringify({
      model: 'auto',
      messages: [{role: 'user', content: 'const answer = compute(input) // keep going\n'.repeat(4_700)}],
    }),
  )
  await writeFile(
    join(dir, 'requests.jsonl'),
    [
      JSON.stringify({
        messages: [{role: 'user', content: 'Write a haiku about autumn'}],
        router: {task: 'general', complexity: 'low'},
      }),
      '',
      JSON.stringify({prompt: 'Design a lock-free queue in C++', router: {task: 'coding', complexity: 'high'}}),
      JSON.stringify('What is the capital of France?'),
      JSON.stringify({model: 'openai/gpt-9', messages: [{role: 'user', content: 'hi'}]}),
    ].join('\n') + '\n',
  )
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
  await rm(empty, {recursive: true, force: true})
})

describe('router route explain', () => {
  it('prints a compact report: task, complexity, signals, route, candidates, selected model and chain', async () => {
    const run = await explain(['Write a Python function that parses ISO dates', '--config', 'router.yaml'], {cwd: dir})
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    for (const heading of [
      'Request ',
      'Task ',
      'Complexity ',
      'Route ',
      'Candidates',
      'Selected ',
      'Fallbacks ',
      'Decided in ',
    ]) {
      expect(run.stdout).toContain(heading)
    }
    expect(run.stdout).toMatch(/^Request {5}chat\.completions · model auto → auto/m)
    expect(run.stdout).toMatch(/^ {2}# +model +source +score +qual +cost +lat +fail +order +est\. \$ +why$/m)
    expect(run.stdout).toMatch(/^Selected {4}(openai|anthropic)\//m)
    expect(run.stdout).toContain('profile custom')
  })

  it('--json prints the whole RoutingDecision', async () => {
    const run = await explain(['Summarise this paragraph in one sentence', '--config', 'router.yaml', '--json'], {
      cwd: dir,
    })
    expect(run.code).toBe(0)
    const decision = JSON.parse(run.stdout)
    for (const key of [
      'task',
      'complexity',
      'selected_model',
      'fallback_models',
      'candidates',
      'signals',
      'source',
      'profile',
      'route',
    ]) {
      expect(decision).toHaveProperty(key)
    }
    expect(RoutingDecisionSchema.parse(decision)).toEqual(decision)
    expect(decision.source).toBe('auto')
    expect(decision.profile).toBe('custom')
  })

  it('--file routes a full request body, router fields and tools included', async () => {
    const run = await explain(['--file', 'request.json', '--config', 'router.yaml', '--json'], {cwd: dir})
    expect(run.code).toBe(0)
    const decision = JSON.parse(run.stdout)
    expect(decision).toMatchObject({task: 'coding', complexity: 'high', selected_model: 'anthropic/claude-sonnet-4.5'})
    expect(decision.route).toEqual({
      task: 'coding',
      tier: 'high',
      models: ['anthropic/claude-sonnet-4.5', 'openai/gpt-5.2'],
    })
    expect(decision.requirements.tools).toBe(true)
    expect(decision.signals[0]).toMatchObject({name: 'router_task', target: 'coding'})
  })

  it('--file with broken JSON exits 2 naming the file, line and column', async () => {
    const run = await explain(['--file', 'bad-request.json', '--config', 'router.yaml'], {cwd: dir})
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('bad-request.json is not valid JSON')
    expect(run.stderr).toMatch(/bad-request\.json:3:\d+/)
  })

  it('--endpoint responses builds a Responses request and reports that endpoint', async () => {
    const run = await explain(
      ['Translate to French: good morning', '--endpoint', 'responses', '--config', 'router.yaml', '--json'],
      {
        cwd: dir,
      },
    )
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).endpoint).toBe('responses')
  })

  it('--endpoint also takes the path a client calls, and refuses an unknown one naming the choices', async () => {
    const run = await explain(['Say hi.', '--endpoint', '/v1/responses', '--config', 'router.yaml', '--json'], {
      cwd: dir,
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).endpoint).toBe('responses')
    const bad = await explain(['hi', '--endpoint', '/v1/audio/speech', '--config', 'router.yaml'], {cwd: dir})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('unknown endpoint "/v1/audio/speech"')
    expect(bad.stderr).toContain('chat, responses, completions, embeddings, images')
  })

  it('--model tests an explicit model', async () => {
    const run = await explain(['hello', '--model', 'sonnet', '--config', 'router.yaml', '--json'], {cwd: dir})
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      source: 'request',
      requested_model: 'sonnet',
      selected_model: 'anthropic/claude-sonnet-4.5',
    })
  })

  it('an unknown explicit model exits 1 and lists the configured models', async () => {
    const run = await explain(['hello', '--model', 'openai/gpt-9', '--config', 'router.yaml'], {cwd: dir})
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      'Error: Model "openai/gpt-9" is not configured. Configured models: openai/gpt-5-mini, openai/gpt-5.2, anthropic/claude-sonnet-4.5.',
    )
    expect(run.stderr).toMatch(/^Fix: /m)
    const json = await explain(['hello', '--model', 'openai/gpt-9', '--config', 'router.yaml', '--json'], {cwd: dir})
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).error.code).toBe('model_not_found')
  })

  it('a broken config exits 2 with the file and line', async () => {
    const run = await explain(['hello', '--config', 'broken.yaml'], {cwd: dir})
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/broken\.yaml:\d+/)
  })

  it('a named config that does not exist exits 2, also through ROUTING_CONFIG_PATH', async () => {
    const flag = await explain(['hello', '--path', 'missing.yaml'], {cwd: dir})
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('config file not found: missing.yaml')
    const env = await explain(['hello'], {cwd: dir, env: {ROUTING_CONFIG_PATH: 'missing.yaml'}})
    expect(env.code).toBe(2)
  })

  it('falls back to the built-in auto profile, with a note, when there is no config file at all', async () => {
    const run = await explain(['Prove that there are infinitely many primes'], {cwd: empty})
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^Note: no config file \(router\.profile\.yaml does not exist\): explaining against the built-in `auto` profile/,
    )
    expect(run.stdout).toContain('profile auto')
    const json = await explain(['hi', '--json'], {cwd: empty})
    expect(json.stderr).toMatch(/^Note: no config file/)
    expect(JSON.parse(json.stdout).profile).toBe('auto')
  })

  it('--input explains one request per line and ends with a summary', async () => {
    const run = await explain(['--input', 'requests.jsonl', '--config', 'router.yaml'], {cwd: dir})
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(
      /^#1 {2}general\/low +→ openai\/gpt-5-mini {2}\[openai\/gpt-5\.2\] {2}"Write a haiku about autumn"$/,
    )
    expect(lines[1]).toMatch(
      /^#3 {2}coding\/high +→ anthropic\/claude-sonnet-4\.5 {2}\[openai\/gpt-5\.2(, openai\/gpt-5-mini)?\] {2}"Design a lock-free queue in C\+\+"$/,
    )
    expect(lines[2]).toMatch(/^#4 {2}\w+\/\w+ +→ .*"What is the capital of France\?"$/)
    expect(lines[3]).toMatch(/^#5 {2}error +model_not_found: Model "openai\/gpt-9" is not configured\./)
    const summary = lines.slice(lines.indexOf('Summary'))
    expect(summary[1]).toBe('  4 requests · 3 routed · 1 refused')
    expect(summary.join('\n')).toMatch(/ {2}task {7}.*coding 1 \(25%\)/)
    expect(summary.join('\n')).toContain('  refused    model_not_found 1 (25%)')
    expect(summary.join('\n')).toMatch(
      /^ {2}est\. cost {2}\$0\.\d+ for the 3 routed on their selected models \(estimated tokens\)$/m,
    )
  })

  it('--input --json prints JSON lines and a summary object', async () => {
    const run = await explain(['--input', 'requests.jsonl', '--config', 'router.yaml', '--json'], {cwd: dir})
    expect(run.code).toBe(0)
    const records = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(records.map((r) => r.line)).toEqual([1, 3, 4, 5, undefined])
    expect(RoutingDecisionSchema.parse(records[0].decision).task).toBe('general')
    expect(records[3].error).toMatchObject({code: 'model_not_found'})
    expect(records[4].summary).toMatchObject({
      requests: 4,
      routed: 3,
      refused: 1,
      invalid: 0,
      refusals: {model_not_found: 1},
    })
    // The sum of each routed decision's estimate for its selected model.
    const decisions = records.slice(0, 3).map((r) => RoutingDecisionSchema.parse(r.decision))
    const expected = decisions.reduce(
      (sum, d) => sum + d.candidates.find((c) => c.model === d.selected_model)!.est_cost_usd!,
      0,
    )
    expect(expected).toBeGreaterThan(0)
    expect(records[4].summary.est_cost_usd).toBeCloseTo(expected, 9)
  })

  it('--input reads standard input with "-", and reports unreadable lines with exit code 2', async () => {
    const stdin = `${JSON.stringify({prompt: 'hi'})}\nnot json\n`
    const run = await explain(['--input', '-', '--config', 'router.yaml'], {cwd: dir, stdin})
    expect(run.code).toBe(2)
    expect(run.stdout).toMatch(/^#2 {2}error +invalid_line: invalid JSON: /m)
    expect(run.stdout).toContain('2 requests · 1 routed · 1 unreadable')
    expect(run.stderr).toContain('1 line of standard input could not be read as a request.')
  })

  it('reads the prompt from standard input with "-"', async () => {
    const run = await explain(['-', '--config', 'router.yaml', '--json'], {
      cwd: dir,
      stdin: 'Prove that 17 is prime.\n',
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).requirements.input_tokens).toBeGreaterThan(3)
  })

  it("excludes the models that cannot run a request's OpenAI-hosted tools, and says which tools", async () => {
    const run = await explain(['--file', 'codex-turn.json', '--endpoint', 'responses', '--config', 'router.yaml'], {
      cwd: dir,
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Request {5}responses · model auto → auto · .* · provider tools web_search$/m)
    expect(run.stdout).toMatch(
      /^ {2}– +anthropic\/claude-sonnet-4\.5 +route +excluded: the "web_search" tool is OpenAI's: only openai and openai-codex accounts run it$/m,
    )
    expect(run.stdout).toMatch(/^Selected {4}openai\/gpt-5\.2$/m)
  })

  it("shows the model_aliases entry that mapped a client's model name", async () => {
    const run = await explain(['say hi', '--model', 'claude-opus-4-8', '--endpoint', 'messages'], {cwd: empty})
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^Request {5}messages · model claude-opus-4-8 → auto \(model_aliases: claude-\* → auto\)/m,
    )
  })

  it('marks what nobody described as unknown, and ranks it below the models known to fit', async () => {
    const run = await explain(['--file', 'long-turn.json', '--config', 'selfhosted.yaml'], {cwd: dir})
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^ {2}2 +openai-compatible\/my-llama +route .*context window unknown \(the request needs ~5\dk tokens\); moved below the models known to serve this request: context window unknown; quality, price, latency, failure rate unknown: neutral in the score$/m,
    )
    expect(run.stdout).toMatch(/^Selected {4}openai\/gpt-5-mini$/m)
    const json = JSON.parse(
      (await explain(['--file', 'long-turn.json', '--config', 'selfhosted.yaml', '--json'], {cwd: dir})).stdout,
    )
    expect(json.candidates[0]).toMatchObject({model: 'openai-compatible/my-llama', excluded: false, rank: 2})
    expect(json.candidates[0].unknown).toEqual(['context_window', 'quality', 'price', 'latency', 'failure_rate'])
  })

  it('asks for exactly one request source', async () => {
    const none = await explain(['--config', 'router.yaml'], {cwd: dir})
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('Error: nothing to explain')
    const two = await explain(['hi', '--file', 'request.json', '--config', 'router.yaml'], {cwd: dir})
    expect(two.code).toBe(2)
    expect(two.stderr).toContain('give only one of a prompt, --file and --input')
  })
})
