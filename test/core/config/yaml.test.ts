import {describe, expect, it} from 'vitest'

import {describeValue, formatPath, parseYamlSource} from '../../../src/core/config/yaml.js'

describe('formatPath', () => {
  it('writes document paths the way users read them', () => {
    expect(formatPath(['accounts', 1, 'provider'])).toBe('accounts[1].provider')
    expect(formatPath(['task_routes', 'coding', 'low', 0])).toBe('task_routes.coding.low[0]')
    expect(formatPath(['models', 'openai/gpt-5.2', 'cost_input_per_1k'])).toBe(
      'models["openai/gpt-5.2"].cost_input_per_1k',
    )
    expect(formatPath([])).toBe('')
  })
})

describe('parseYamlSource', () => {
  const text = `default_model: a/b
accounts:
  - name: first
    provider: openai
  - name: second
    provider: opnai
models:
  openai/gpt-5.2: {cost_input_per_1k: 1}
empty:
`

  it('maps a document path to the line and column of its value, or of its key', () => {
    const source = parseYamlSource(text, 'f.yaml')
    expect(source.locate(['accounts', 1, 'provider'])).toEqual({line: 6, column: 15, found: true})
    expect(source.locate(['accounts', 1, 'provider'], {key: true})).toEqual({line: 6, column: 5, found: true})
    expect(source.locate(['models', 'openai/gpt-5.2', 'cost_input_per_1k'])).toEqual({line: 8, column: 39, found: true})
  })

  it('points at the nearest existing parent for a missing path, and at the key of an empty value', () => {
    const source = parseYamlSource(text, 'f.yaml')
    expect(source.locate(['accounts', 0, 'base_url'])).toEqual({line: 3, column: 5, found: false})
    expect(source.locate(['accounts', 7])).toEqual({line: 3, column: 3, found: false})
    expect(source.locate(['empty'])).toEqual({line: 9, column: 1, found: true})
  })

  it('describes value types without quoting values', () => {
    expect(['x', 1, 1.5, true, null, [], {}].map(describeValue)).toEqual([
      'a string',
      'a number',
      'a decimal number',
      'true/false',
      'nothing',
      'a list',
      'a mapping',
    ])
  })

  it('reports each syntax error with its own position and no source text', () => {
    try {
      parseYamlSource('a: 1\nkey: "sk-SECRET\nb:\n\t- x\n', 's.yaml')
      throw new Error('expected a syntax error')
    } catch (error) {
      const problems = (error as {problems: Array<{line: number; column: number; message: string}>}).problems
      expect(problems.length).toBeGreaterThan(0)
      expect(problems.map((p) => p.message)).toContain('YAML syntax error: Missing closing "quote')
      expect(problems.every((p) => p.line >= 1 && p.column >= 1)).toBe(true)
      expect(JSON.stringify(problems)).not.toContain('sk-SECRET')
    }
  })
})
