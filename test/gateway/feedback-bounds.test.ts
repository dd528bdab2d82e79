/** The quality-feedback memory is bounded: past `maxEntries` the oldest requests are forgotten first, in order. */
import {describe, expect, it} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import {QualityFeedback} from '../../src/gateway/feedback.js'
import {requestEvents} from '../helpers/audit-events.js'

describe('QualityFeedback: bounded memory', () => {
  it('forgets the oldest requests first once full, and keeps judging the ones it holds', () => {
    const bus = new AuditEventBus()
    const feedback = new QualityFeedback(bus, {retryWindowMs: 0, maxEntries: 3})
    const ids = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']
    ids.forEach((id, i) => {
      feedback.routed(
        id,
        'coding',
        'high',
        'chat.completions',
        {messages: [{role: 'user', content: `question ${i}`}]},
        undefined,
      )
      for (const event of requestEvents({
        id,
        at: Date.parse('2026-12-07T12:00:00Z') + i * 1000,
        attempts: [{model: 'openai/gpt-5.2', status: 200}],
      }))
        bus.publish(event)
    })
    // Three remembered: the last three. The ring wrapped twice over r1..r4 without losing its order.
    expect(ids.map((id) => feedback.judge(id, 'good', null))).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      expect.objectContaining({request_id: 'r5'}),
      expect.objectContaining({request_id: 'r6'}),
      expect.objectContaining({request_id: 'r7'}),
    ])
    expect(feedback.judge('r7', 'bad', null)).toBe('judged')
  })
})
