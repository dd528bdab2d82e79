import {describe, expect, it} from 'vitest'

import {auditTimestamp, parseAuditTimestamp} from '../../../src/core/audit/timestamp.js'
import {isoTimestamp} from '../../../src/core/iso-time.js'

describe('isoTimestamp', () => {
  it('prints what Date#toISOString prints, across days, years and the edges of the range', () => {
    const times = [
      0,
      1,
      -1,
      86_399_999,
      86_400_000,
      951_782_400_000,
      1_796_601_599_999,
      -62_167_219_200_000,
      253_402_300_799_999,
      1e12 + 0.5,
      -0.5,
    ]
    let seed = 7
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      times.push(Math.floor((seed / 2_147_483_648) * 4e12) - 1e12)
    }
    for (const ms of times) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString())
  })

  it('falls back to Date for times outside four-digit years', () => {
    expect(isoTimestamp(253_402_300_800_000)).toBe(new Date(253_402_300_800_000).toISOString())
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError)
  })
})

describe('parseAuditTimestamp', () => {
  it('reads back the last audit timestamp and any other ISO text', () => {
    const ts = auditTimestamp()
    expect(parseAuditTimestamp(ts)).toBe(Date.parse(ts))
    expect(parseAuditTimestamp('2026-12-07T13:45:00.123Z')).toBe(Date.parse('2026-12-07T13:45:00.123Z'))
    expect(Number.isNaN(parseAuditTimestamp('not a time'))).toBe(true)
  })
})
