import {describe, expect, it} from 'vitest'

import {canonicalJson} from '../../src/core/canonical-json.js'

describe('canonicalJson', () => {
  it('sorts object keys at every level, keeps array order, and writes JSON that parses to the same value', () => {
    const value = {b: [3, {z: 1, a: 'x'}, null], a: {d: true, c: 'é"\n'}, e: 1.5}
    const text = canonicalJson(value)
    expect(text).toBe('{"a":{"c":"é\\"\\n","d":true},"b":[3,{"a":"x","z":1},null],"e":1.5}')
    expect(JSON.parse(text)).toEqual(value)
  })

  it('gives the same text for objects that differ only in key order', () => {
    expect(canonicalJson({x: 1, y: {q: [1, 2], p: 0}})).toBe(canonicalJson({y: {p: 0, q: [1, 2]}, x: 1}))
  })

  it('drops undefined members and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({a: undefined, b: [undefined, 1], c: {}})).toBe('{"b":[null,1],"c":{}}')
    expect(canonicalJson([])).toBe('[]')
    expect(canonicalJson('text')).toBe('"text"')
  })

  it('serialises a value nested 200,000 levels deep without overflowing the stack', () => {
    const depth = 200_000
    const value = JSON.parse(`${'[{"k":'.repeat(depth)}1${'}]'.repeat(depth)}`)
    const text = canonicalJson(value)
    expect(text.length).toBe(depth * 8 + 1)
    expect(text.startsWith('[{"k":[{"k":')).toBe(true)
  })
})
