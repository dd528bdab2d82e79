import {describe, expect, it} from 'vitest'

import {roundMs, roundTo} from '../../src/core/round.js'

describe('roundMs and roundTo', () => {
  it('rounds milliseconds to the microsecond, as audit events carry latencies', () => {
    expect(roundMs(12.345_678)).toBe(12.346)
    expect(roundMs(0.000_4)).toBe(0)
    expect(JSON.stringify({latency_ms: roundMs(1_234.5)})).toBe('{"latency_ms":1234.5}')
  })

  it('gives the figures the hand-written roundings gave, decimals for decimals', () => {
    for (const value of [0.123_456_789, 1.005, 2.5, 99.999_5, 1_234_567.891_011, 1e-10, 0.1 + 0.2]) {
      for (const digits of [2, 3, 4, 9]) {
        const factor = 10 ** digits
        expect(roundTo(value, digits)).toBe(Math.round(value * factor) / factor)
      }
    }
  })

  it('keeps null as null and writes a negative zero as 0', () => {
    expect(roundTo(null, 3)).toBeNull()
    expect(Object.is(roundTo(-0.000_1, 3), 0)).toBe(true)
  })
})
