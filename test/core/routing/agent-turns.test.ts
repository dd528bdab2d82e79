/**
 * An agent's turn is judged by what it asks: the standing instructions and the conversation an agent resends on every
 * turn say what kind of work it is, not how hard this turn is (docs/routing.md §1). And a follow-up turn of a session
 * (a tool result, a "continue") has the session's complexity, higher or lower (§8).
 */
import {describe, expect, it} from 'vitest'

import {classifyRequest} from '../../../src/core/routing/classifier.js'
import {decideRoute} from '../../../src/core/routing/decide.js'
import type {SessionState} from '../../../src/core/routing/schema.js'
import {sessionKeyOf} from '../../../src/core/routing/session.js'
import {classification, fixed, makeConfig} from '../../helpers/routing.js'

/** A coding agent's standing instructions, about 10 KB, written as such prompts are: rules, constraints, tool policy. */
const AGENT_PROMPT = Array.from(
  {length: 24},
  (_, i) =>
    `Rule ${i + 1}: You must read a file before you change it, and you must never commit secrets. Keep every change small and focused, ` +
    'follow the conventions of the surrounding code, and run the test suite after each edit. Prefer Grep over Bash for searching the ' +
    'repository; when a command fails, read its output and fix the cause, not the symptom. Answer in at most three sentences.',
).join('\n')

const TOOLS = ['Read', 'Edit', 'Grep', 'Bash'].map((name) => ({
  name,
  description: `${name} a file or run a command in the repository.`,
  input_schema: {type: 'object', properties: {path: {type: 'string'}}},
}))

/** One Messages API turn of a coding agent: its prompt, its tools, the conversation so far, and `ask` last. */
function agentTurn(ask: string, history: Array<{role: 'user' | 'assistant'; content: unknown}> = []) {
  return {
    model: 'auto',
    max_tokens: 8192,
    system: AGENT_PROMPT,
    tools: TOOLS,
    messages: [...history, {role: 'user', content: ask}],
  }
}

/** `steps` tool round trips of a file read each: 3 KB of source per result. */
function toolHistory(steps: number) {
  const history: Array<{role: 'user' | 'assistant'; content: unknown}> = [
    {role: 'user', content: 'Make the log message in src/jobs/cleanup.ts say how many files were removed.'},
  ]
  for (let i = 0; i < steps; i++) {
    const source = Array.from(
      {length: 60},
      (_, line) => `export function step${i}_${line}(input: Input): Result { return run(input, ${line}) }`,
    ).join('\n')
    history.push({
      role: 'assistant',
      content: [{type: 'tool_use', id: `toolu_${i}`, name: 'Read', input: {path: `src/jobs/m${i}.ts`}}],
    })
    history.push({role: 'user', content: [{type: 'tool_result', tool_use_id: `toolu_${i}`, content: source}]})
  }
  history.push({role: 'assistant', content: [{type: 'text', text: 'Done: the message now counts the removed files.'}]})
  return history
}

describe('classifyRequest: an agent turn is judged by what it asks', () => {
  it('does not make a one-line edit hard because of the agent prompt that comes with it', () => {
    const agent = classifyRequest(
      agentTurn("Fix the typo in the error message of parseArgs: it says 'recieved'."),
      'messages',
    )
    expect(agent.task).toBe('coding')
    expect(['low', 'medium']).toContain(agent.complexity)
    expect(agent.signals.map((s) => s.name)).not.toContain('constraints')
    // The same prompt in a plain chat (no tools) is the request's own instructions, and still counts.
    const {tools: _tools, ...chat} = agentTurn("Fix the typo in the error message of parseArgs: it says 'recieved'.")
    expect(classifyRequest(chat, 'messages').complexity_score).toBeGreaterThan(agent.complexity_score + 1)
  })

  it('still reads a hard ask as hard, with the same prompt and tools', () => {
    const hard = classifyRequest(
      agentTurn(
        'Our job scheduler loses jobs when two workers claim the same job at once. Redesign the claiming protocol so that each job runs ' +
          'exactly once even when workers crash mid-job, prove that no job is lost or run twice under concurrent failover, and describe ' +
          'how to test the distributed consensus under fault injection.',
      ),
      'messages',
    )
    const easy = classifyRequest(agentTurn('Rename the variable cnt to count in src/utils/stats.ts.'), 'messages')
    expect(['high', 'xhigh']).toContain(hard.complexity)
    expect(hard.complexity_score).toBeGreaterThan(easy.complexity_score + 1.5)
  })

  it('counts the resent conversation at its context weight: forty tool results do not make a small ask xhigh', () => {
    const later = classifyRequest(agentTurn('Also update the CHANGELOG.', toolHistory(40)), 'messages')
    expect(later.requirements.input_tokens).toBeGreaterThan(30_000)
    expect(later.complexity).not.toBe('xhigh')
    const length = later.signals.find((s) => s.name === 'length')!
    // The length signal names the tokens that counted: far fewer than the request carries.
    expect(Number(/~(\d+) tokens/.exec(length.detail!)![1])).toBeLessThan(later.requirements.input_tokens / 4)
  })

  it('takes nothing from the code in forty tool results but its length: no questions, code size or vocabulary', () => {
    // The code in tool results (and the agent's own replies) says what the work is about, not how hard this ask is:
    // its `?.`, its many lines and its vocabulary must not make "run the tests again" a harder turn.
    const optional = Array.from(
      {length: 40},
      (_, i) => `const v${i} = options.store?.get(input.id) ?? fallback(${i}) ? a : b`,
    ).join('\n')
    const withCode = (steps: number) =>
      toolHistory(steps).map((turn) =>
        Array.isArray(turn.content) && (turn.content[0] as {type?: string}).type === 'tool_result'
          ? {role: turn.role, content: [Object.assign({}, turn.content[0] as object, {content: optional})]}
          : turn,
      )
    const early = classifyRequest(agentTurn('Run the tests again, please.', withCode(1)), 'messages')
    const late = classifyRequest(agentTurn('Run the tests again, please.', withCode(40)), 'messages')
    const complexity = (c: typeof late) => c.signals.filter((s) => s.target === 'complexity' && s.name !== 'length')
    expect(complexity(late)).toEqual(complexity(early))
    expect(late.signals.map((s) => s.name)).not.toContain('sub_questions')
    expect(late.signals.map((s) => s.name)).not.toContain('code_size')
    expect(late.complexity).not.toBe('xhigh')
  })

  it('counts questions, not the question marks of code', () => {
    const code = 'const a = x?.y ?? z\nconst b = ok ? 1 : 2\nfunction f(p?: string) {}'
    const plain = classifyRequest(
      {model: 'auto', messages: [{role: 'user', content: `Why does this fail? What should I change?\n${code}`}]},
      'chat.completions',
    )
    expect(plain.signals.find((s) => s.name === 'sub_questions')?.detail).toBe('2 questions')
  })
})

describe('decideRoute: a follow-up turn has the session’s complexity', () => {
  const config = makeConfig()
  const now = Date.parse('2026-12-07T12:00:00Z')
  const state = (complexity: SessionState['complexity']): SessionState => ({
    task: 'coding',
    complexity,
    model: 'acme/mid',
    account: 'acme-main',
    provider: 'acme',
    answered_at: now - 10_000,
    prompt_tokens: 20_000,
    turns: 3,
  })
  const toolResult = {
    model: 'auto',
    messages: [
      {role: 'user', content: 'Fix the parser.'},
      {
        role: 'assistant',
        content: null,
        tool_calls: [{id: 'c1', type: 'function', function: {name: 'read', arguments: '{}'}}],
      },
      {role: 'tool', tool_call_id: 'c1', content: 'fn parse() {}'},
    ],
  }
  const decide = (body: Record<string, unknown>, own: ReturnType<typeof classification>, session: SessionState) =>
    decideRoute({body, endpoint: 'chat.completions'}, config, {
      classify: fixed(own),
      session: {
        key: sessionKeyOf('chat.completions', body, {'x-session-id': 's1'}, undefined)!,
        state: session,
        now,
        cacheTtlMs: () => 300_000,
      },
    })

  it('does not move the session up on a tool result that reads as harder on its own', () => {
    const decision = decide(toolResult, classification({task: 'coding', complexity: 'high'}), state('medium'))
    expect(decision.complexity).toBe('medium')
    expect(decision.selected_model).toBe('acme/mid')
    expect(decision.session).toMatchObject({affinity: 'stay', follow_up: true, turn_complexity: 'high'})
    expect(decision.signals[0]).toMatchObject({
      name: 'session_complexity',
      detail: 'the session is medium (this turn alone: high)',
    })
  })

  it('keeps a high session high on a tool result that reads as easy', () => {
    const decision = decide(toolResult, classification({task: 'general', complexity: 'low'}), {
      ...state('high'),
      model: 'acme/large',
    })
    expect(decision).toMatchObject({task: 'coding', complexity: 'high', selected_model: 'acme/large'})
    expect(decision.session).toMatchObject({affinity: 'stay', turn_task: 'general', turn_complexity: 'low'})
  })

  it('moves the session up when the user asks for more', () => {
    const ask = {
      model: 'auto',
      messages: [
        ...toolResult.messages,
        {role: 'assistant', content: 'Done.'},
        {role: 'user', content: 'Now prove it terminates.'},
      ],
    }
    const decision = decide(ask, classification({task: 'coding', complexity: 'high'}), state('medium'))
    expect(decision.complexity).toBe('high')
    expect(decision.session).toMatchObject({affinity: 'move_up', follow_up: false})
  })
})
