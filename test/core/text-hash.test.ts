import {describe, expect, it} from 'vitest'

import {textHash} from '../../src/core/text-hash.js'

describe('textHash', () => {
  it('keeps the ids it gave before (session and retry keys in audit logs and shared stores stay comparable)', () => {
    // Values printed by the first implementation, which used Number#toString(36).
    expect(textHash('')).toBe('wvjl67o803')
    expect(textHash('a')).toBe('geptackinw')
    expect(textHash('hello world')).toBe('b64c76cwx1')
    expect(textHash('system\u0000tools\u0000first question')).toBe('p0bryvm0k2')
    expect(textHash('é日本語🙂')).toBe('1gb1805saoa')
  })

  it('prints the same base-36 text as Number#toString(36) for every hash', () => {
    for (let i = 0; i < 2000; i++) {
      const hash = textHash(`text ${i} ${'x'.repeat(i % 50)}`)
      expect(hash).toMatch(/^[0-9a-z]{1,11}$/)
      expect(Number.parseInt(hash, 36).toString(36)).toBe(hash)
    }
  })
})
