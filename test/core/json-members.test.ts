import {describe, expect, it} from 'vitest'

import {jsonObjectMembers, rewriteJsonObject} from '../../src/core/json-members.js'

const DROP: ReadonlySet<string> = new Set(['provider', 'router'])

function rewrite(text: string, model = 'gpt-5-mini'): string | undefined {
  return rewriteJsonObject(Buffer.from(text), {key: 'model', value: model}, DROP)?.toString('utf8')
}

/** The members of `text`, as [key, the member's text]. */
function members(text: string): Array<[string, string]> | undefined {
  const bytes = Buffer.from(text)
  return jsonObjectMembers(bytes)?.map((m) => [m.key, bytes.toString('utf8', m.start, m.end)])
}

describe('jsonObjectMembers', () => {
  it('finds each top-level member, from its key to the end of its value, skipping nested values', () => {
    expect(members(' {"a": 1, "b" :{"x":[1,{"y":"}"}]}, "c":"q\\"]}é", "d": [true, null, -2.5e3] } ')).toEqual([
      ['a', '"a": 1'],
      ['b', '"b" :{"x":[1,{"y":"}"}]}'],
      ['c', '"c":"q\\"]}é"'],
      ['d', '"d": [true, null, -2.5e3]'],
    ])
  })

  it('reads a key spelled with escapes as the plain key', () => {
    expect(members('{"mod\\u0065l":"x","a\\\\b":1,"é":2}')!.map(([key]) => key)).toEqual(['model', 'a\\b', 'é'])
  })

  it('tells a quote escaped by a backslash from one that follows an escaped backslash', () => {
    expect(
      members('{"a":"x\\\\","b":"y\\\\\\"z"}')!.map(([key, text]) => [key, JSON.parse(text.replace(/^"[^"]*":/, ''))]),
    ).toEqual([
      ['a', 'x\\'],
      ['b', 'y\\"z'],
    ])
  })

  it('gives undefined for anything but one JSON object', () => {
    for (const text of ['[1,2]', '"s"', '{"a":1} {}', '{"a" 1}', '{"a":1,}', '{"a":"open', ''])
      expect(members(text)).toBeUndefined()
    expect(members(' { } ')).toEqual([])
  })
})

describe('rewriteJsonObject', () => {
  it('replaces the model in place, cuts the dropped members and keeps every other member as written', () => {
    const text =
      '{\n  "provider": {"sort": "price"},\n  "model": "auto",\n  "temperature": 1.0,\n  "messages": [{"role": "user", "content": "caf\\u00e9"}],\n  "router": {}\n}'
    expect(rewrite(text)).toBe(
      '{"model":"gpt-5-mini","temperature": 1.0,"messages": [{"role": "user", "content": "caf\\u00e9"}]}',
    )
  })

  it('puts the model first when the body has none, and escapes it', () => {
    expect(rewrite('{"input":"x"}', 'a"b')).toBe('{"model":"a\\"b","input":"x"}')
    expect(rewrite('{}')).toBe('{"model":"gpt-5-mini"}')
    expect(rewrite('{"router":{}}')).toBe('{"model":"gpt-5-mini"}')
  })

  it('gives undefined when a key is named twice, escaped spellings included', () => {
    expect(rewrite('{"model":"auto","n":1,"n":2}')).toBeUndefined()
    expect(rewrite('{"model":"auto","mod\\u0065l":"x"}')).toBeUndefined()
  })

  it('says what a fresh serialisation of the parsed body says, for bodies of every shape', () => {
    // A small deterministic generator: nested values, strings with quotes, backslashes, braces and non-ASCII text.
    let seed = 7
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    const pieces = ['a', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'é', '\n', '😀', 'model']
    const string = (): string => Array.from({length: next(8)}, () => pieces[next(pieces.length)]).join('')
    const value = (depth: number): unknown => {
      switch (depth > 2 ? next(4) : next(6)) {
        case 0:
          return string()
        case 1:
          return next(1000) / 8 - 50
        case 2:
          return [true, false, null][next(3)]
        case 3:
          return string()
        case 4:
          return Array.from({length: next(4)}, () => value(depth + 1))
        default:
          return Object.fromEntries(Array.from({length: next(4)}, () => [string(), value(depth + 1)]))
      }
    }
    for (let i = 0; i < 300; i++) {
      const body: Record<string, unknown> = {}
      for (const key of ['model', 'messages', 'provider', 'temperature', 'router', 'tools', string()].filter(
        () => next(3) > 0,
      )) {
        body[key] = value(0)
      }
      const text = JSON.stringify(body, null, next(2) === 0 ? undefined : 2)
      const expected: Record<string, unknown> = {model: 'gpt-5-mini'}
      for (const [key, v] of Object.entries(body)) if (!DROP.has(key) && key !== 'model') expected[key] = v
      const out = rewrite(text)
      expect(out, text).toBeDefined()
      expect(JSON.parse(out!)).toEqual(expected)
    }
  })
})
