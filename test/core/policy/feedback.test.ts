import {describe, expect, it} from 'vitest'

import {updateEscalations, type QualityCounts} from '../../../src/core/policy/feedback.js'

const options = {minAnswers: 10, minBad: 3, badRate: 0.3, ttlMs: 60_000, now: Date.parse('2026-12-01T00:00:00Z')}
const row = (fields: Partial<QualityCounts>): QualityCounts => ({
  task: 'coding',
  complexity: 'low',
  model: 'm',
  answered: 10,
  bad: 3,
  good: 0,
  ...fields,
})

describe('updateEscalations', () => {
  it('raises a tier one step when answers, bad verdicts and their share all reach the thresholds', () => {
    const {escalations, decided} = updateEscalations({}, [row({})], new Map(), options)
    expect(escalations['coding/low']).toMatchObject({
      from: 'low',
      to: 'medium',
      answered: 10,
      bad: 3,
      until: '2026-12-01T00:01:00.000Z',
    })
    expect(decided).toEqual(['coding/low'])
  })

  it('needs every threshold: too few answers, too few bad verdicts, or too small a share raise nothing', () => {
    for (const counts of [row({answered: 9}), row({bad: 2}), row({answered: 20, bad: 5})]) {
      expect(updateEscalations({}, [counts], new Map(), options).escalations).toEqual({})
    }
  })

  it('judges only what came since the last decision on the key', () => {
    const baseline = new Map([['coding/low/m', row({answered: 8, bad: 3})]])
    expect(updateEscalations({}, [row({answered: 18, bad: 4})], baseline, options).escalations).toEqual({})
    expect(
      updateEscalations({}, [row({answered: 18, bad: 6})], baseline, options).escalations['coding/low'],
    ).toMatchObject({answered: 10, bad: 3})
  })

  it('never raises xhigh, and never stacks a second step on a tier already raised', () => {
    expect(updateEscalations({}, [row({complexity: 'xhigh'})], new Map(), options).escalations).toEqual({})
    const first = updateEscalations({}, [row({})], new Map(), options).escalations
    const again = updateEscalations(first, [row({answered: 100, bad: 90})], new Map(), options)
    expect(again.escalations).toEqual(first)
    expect(again.decided).toEqual([])
  })

  it('drops an escalation when it ends, and decides on the key again', () => {
    const first = updateEscalations({}, [row({})], new Map(), options).escalations
    const later = updateEscalations(first, [], new Map(), {...options, now: options.now + 60_001})
    expect(later).toEqual({escalations: {}, decided: ['coding/low']})
  })
})
