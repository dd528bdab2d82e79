import {describe, expect, it} from 'vitest'

import {isObject} from '../../src/core/is-object.js'

describe('isObject', () => {
  it('accepts plain JSON objects only', () => {
    expect(isObject({})).toBe(true)
    expect(isObject(JSON.parse('{"a":1}'))).toBe(true)
    expect(isObject(null)).toBe(false)
    expect(isObject([])).toBe(false)
    expect(isObject('text')).toBe(false)
    expect(isObject(undefined)).toBe(false)
  })
})
