import {describe, expect, it} from 'vitest'

import {
  addToSummary,
  candidateTable,
  emptySummary,
  formatDecision,
  formatDecisionLine,
  formatErrorLine,
  formatSummary,
  promptPreview,
} from '../../src/cli/format-decision.js'
import {decideRoute} from '../../src/core/routing/decide.js'
import type {Classification} from '../../src/core/routing/schema.js'
import {formatUsd} from '../../src/tui/format.js'
import {classification, fixed, makeConfig} from '../helpers/routing.js'

const CONFIG = makeConfig()

function decide(body: Record<string, unknown>, c: Classification) {
  return decideRoute({body, endpoint: 'chat.completions'}, CONFIG, {classify: fixed(c), profile: 'auto'})
}

const CODING = classification({
  task: 'coding',
  complexity: 'xhigh',
  complexity_score: 6.25,
  confidence: 0.82,
  signals: [
    {name: 'code_fence', target: 'coding', weight: 2, detail: '```python fence, 14 lines'},
    {name: 'code_verb', target: 'coding', weight: 1, detail: 'implement'},
    {name: 'tiny_cue', target: 'coding', weight: 0.1},
    {name: 'list_words', target: 'coding', weight: -0.5},
    {name: 'writing', target: 'general', weight: 0.4},
    {name: 'reasoning_effort', target: 'complexity', weight: 3, detail: 'high'},
  ],
  requirements: {vision: true, tools: true, input_tokens: 1234, output_tokens: 2000},
})

describe('formatDecision', () => {
  const decision = decide({model: 'auto', messages: [{role: 'user', content: 'x'}], tools: []}, CODING)
  const text = formatDecision(decision, ['no config file: built-in profile'])
  const lines = text.split('\n')

  it('starts with the notes', () => {
    expect(lines[0]).toBe('Note: no config file: built-in profile')
  })

  it('describes the request: endpoint, model, size and needs', () => {
    expect(text).toContain(
      'Request     chat.completions · model auto → auto · ~1.2k input tokens, max 2.0k output · needs vision, tools',
    )
  })

  it('shows the task and complexity with their strongest signals and weights', () => {
    const task = lines.indexOf('Task        coding, confidence 0.82')
    expect(task).toBeGreaterThan(0)
    expect(lines[task + 1]).toMatch(/^\s+\+2\.00  code_fence\s+```python fence, 14 lines$/)
    expect(lines[task + 2]).toMatch(/^\s+\+1\.00  code_verb\s+implement$/)
    expect(lines[task + 3]).toMatch(/^\s+-0\.50  list_words$/)
    expect(lines[task + 4]).toMatch(/^\s+\(\+1 more signal\)$/)
    expect(text).not.toContain('writing')
    const complexity = lines.indexOf('Complexity  xhigh, score 6.25')
    expect(lines[complexity + 1]).toMatch(/^\s+\+3\.00  reasoning_effort\s+high$/)
  })

  it('says when the route came from a tier fallback, and names the profile', () => {
    expect(text).toContain(
      'Route       coding/high (no coding/xhigh models; next tier): acme/large, zen/large · profile auto',
    )
  })

  it('lists every candidate with its score components or its exclusion', () => {
    const start = lines.indexOf('Candidates')
    expect(lines[start + 1]).toMatch(
      /^ {2}#\s+model\s+source\s+score\s+qual\s+cost\s+lat\s+fail\s+order\s+est\. \$\s+why$/,
    )
    const row = lines.find((line) => line.includes('acme/large') && line.trimStart().startsWith('1'))!
    const c = decision.candidates.find((candidate) => candidate.model === 'acme/large')!
    for (const value of [c.score!, c.components!.quality, c.components!.cost, c.components!.order]) {
      expect(row).toContain(value.toFixed(2))
    }
    // The estimated request cost the cost component compares, in dollars.
    expect(c.est_cost_usd).toBeGreaterThan(0)
    expect(row).toMatch(/ \$0\.\d+ {2}kept route order/)
    expect(row).toContain('kept route order')
    const vision = decide({messages: []}, classification({requirements: {vision: true}}))
    expect(formatDecision(vision)).toMatch(
      /\n {2}– {2}acme\/small {2}route {5}excluded: no vision \(the request has images\)\n/,
    )
  })

  it('ends with the selected model, the fallback chain and the time', () => {
    expect(text).toContain(`Selected    ${decision.selected_model}`)
    expect(text).toContain(`Fallbacks   ${decision.fallback_models.join(' → ')}`)
    expect(lines.at(-1)).toMatch(/^Decided in  \d+\.\d{3} ms$/)
  })

  it('reports an explicit model as named by the request, without a route', () => {
    const explicit = formatDecision(decide({model: 'zen/large', messages: []}, classification()))
    expect(explicit).toContain('model zen/large (named by the request)')
    expect(explicit).toContain('Route       none: the request named its model · profile auto')
    expect(explicit).toContain('Fallbacks   none')
  })

  it('shows the model_aliases entry behind a client model name, to auto or to a model', () => {
    const config = makeConfig({model_aliases: {'claude-haiku-*': 'acme/small', 'claude-*': 'auto'}})
    const line = (model: string) =>
      formatDecision(
        decideRoute({body: {model, messages: []}, endpoint: 'messages'}, config, {classify: fixed(classification())}),
      ).split('\n')[0]
    expect(line('claude-opus-4-8')).toMatch(
      /^Request {5}messages · model claude-opus-4-8 → auto \(model_aliases: claude-\* → auto\) · /,
    )
    expect(line('claude-haiku-4-5')).toMatch(
      /^Request {5}messages · model claude-haiku-4-5 → acme\/small \(model_aliases: claude-haiku-\* → acme\/small\) · /,
    )
  })

  it("names the request's tools that only some providers run", () => {
    const body = {model: 'auto', input: 'hi', tools: [{type: 'function', name: 'f'}, {type: 'web_search'}]}
    const text = formatDecision(
      decideRoute({body, endpoint: 'responses'}, CONFIG, {classify: fixed(classification()), ignoreAccounts: true}),
    )
    expect(text.split('\n')[0]).toMatch(/ · provider tools web_search$/)
  })

  it('says when the task had no route of its own', () => {
    const thinking = formatDecision(decide({messages: []}, classification({task: 'thinking', complexity: 'high'})))
    expect(thinking).toContain('Route       general/high (no thinking route; general is used): acme/large')
  })
})

describe('candidateTable', () => {
  it('aligns the numeric columns to the right', () => {
    const decision = decide({messages: []}, classification({complexity: 'medium'}))
    const rows = candidateTable(decision.candidates)
    const scoreEnd = rows[0].indexOf('score') + 'score'.length
    for (const row of rows.slice(1)) expect(row[scoreEnd - 1]).toMatch(/\d/)
  })
})

describe('formatDecisionLine', () => {
  it('fits one request on one line: task/complexity, selected model, chain and prompt preview', () => {
    const body = {
      messages: [{role: 'user', content: 'Write a Python function that merges two sorted lists, please, quickly'}],
    }
    const decision = decide(body, classification({task: 'coding', complexity: 'high'}))
    const line = formatDecisionLine(7, decision, body)
    expect(line).toMatch(
      /^#7 {2}coding\/high\s+→ acme\/large {2}\[zen\/large, acme\/mid\] {2}"Write a Python function that merges two sorted…"$/,
    )
  })

  it('marks an explicit model', () => {
    const decision = decide({model: 'tiny', messages: []}, classification())
    expect(formatDecisionLine(1, decision, {})).toContain('→ acme/small (requested)')
  })

  it('formats an error line with its code', () => {
    expect(formatErrorLine(3, 'model_not_found', 'Model "x" is not configured.')).toMatch(
      /^#3 {2}error\s+model_not_found: Model "x" is not configured\.$/,
    )
  })
})

describe('summary', () => {
  it('counts routed, refused and unreadable requests per task, complexity and model, most frequent first', () => {
    const summary = emptySummary()
    const coding = decide({messages: []}, classification({task: 'coding', complexity: 'high'}))
    const general = decide({messages: []}, classification({task: 'general', complexity: 'low'}))
    addToSummary(summary, {decision: coding})
    addToSummary(summary, {decision: coding})
    addToSummary(summary, {decision: general})
    addToSummary(summary, {refused: 'model_not_found'})
    addToSummary(summary, {invalid: true})
    expect(summary).toMatchObject({
      requests: 5,
      routed: 3,
      refused: 1,
      invalid: 1,
      task: {coding: 2, general: 1},
      complexity: {high: 2, low: 1},
      selected_model: {'acme/large': 2, 'acme/small': 1},
      refusals: {model_not_found: 1},
    })
    const estimate = (d: typeof coding) => d.candidates.find((c) => c.model === d.selected_model)!.est_cost_usd!
    expect(summary.est_cost_usd).toBeGreaterThan(0)
    expect(summary.est_cost_usd).toBeCloseTo(2 * estimate(coding) + estimate(general), 9)
    expect(formatSummary(summary).split('\n')).toEqual([
      'Summary',
      '  5 requests · 3 routed · 1 refused · 1 unreadable',
      '  task       coding 2 (40%) · general 1 (20%)',
      '  complexity high 2 (40%) · low 1 (20%)',
      '  model      acme/large 2 (40%) · acme/small 1 (20%)',
      '  refused    model_not_found 1 (20%)',
      `  est. cost  ${formatUsd(summary.est_cost_usd)} for the 3 routed on their selected models (estimated tokens)`,
    ])
  })
})

describe('promptPreview', () => {
  it('takes the last user message of a chat request, text parts included', () => {
    expect(
      promptPreview({
        messages: [
          {role: 'system', content: 'be brief'},
          {role: 'user', content: 'first'},
          {role: 'assistant', content: 'ok'},
          {
            role: 'user',
            content: [
              {type: 'text', text: 'look at'},
              {type: 'image_url', image_url: {url: 'x'}},
              {type: 'text', text: 'this'},
            ],
          },
        ],
      }),
    ).toBe('look at this')
  })

  it('takes a Responses input (string or items) and a completions prompt', () => {
    expect(promptPreview({input: 'hello   there\n\nfriend'})).toBe('hello there friend')
    expect(promptPreview({input: [{role: 'user', content: [{type: 'input_text', text: 'items'}]}]})).toBe('items')
    expect(promptPreview({prompt: 'complete me'})).toBe('complete me')
    expect(promptPreview(null)).toBe('')
  })

  it('shortens long prompts with an ellipsis', () => {
    expect(promptPreview({prompt: 'a'.repeat(100)}, 10)).toBe('aaaaaaaaa…')
  })
})
