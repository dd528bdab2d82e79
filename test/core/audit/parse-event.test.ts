import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {parseAuditEventJson} from '../../../src/core/audit/parse-event.js'
import {AuditEventSchema} from '../../../src/core/audit/schema.js'
import {T0, decision, iso} from '../../helpers/audit-events.js'

describe('parseAuditEventJson', () => {
  it('accepts a valid event', () => {
    const event = decision('r1', T0)
    expect(parseAuditEventJson(JSON.stringify(event))).toEqual({kind: 'event', event})
  })

  it('reports an unknown event name as unknown, not malformed (forward compatibility)', () => {
    expect(parseAuditEventJson(JSON.stringify({ts: iso(T0), event: 'cache_hit', request_id: 'r1'}))).toEqual({
      kind: 'unknown',
      name: 'cache_hit',
    })
  })

  it('drops fields a newer gateway added to a known event instead of rejecting it', () => {
    const event = decision('r1', T0)
    const parsed = parseAuditEventJson(
      JSON.stringify({...event, region: 'eu', signals: [{...event.signals[0], extra: 1}]}),
    )
    expect(parsed).toEqual({kind: 'event', event: {...event, signals: [event.signals[0]]}})
  })

  it('calls non-JSON, non-objects and invalid known events malformed, with a reason', () => {
    expect(parseAuditEventJson('{"ts": "2026')).toEqual({kind: 'malformed', reason: 'not JSON'})
    expect(parseAuditEventJson('[1,2]')).toEqual({kind: 'malformed', reason: 'not a JSON object'})
    expect(parseAuditEventJson('{"ts":"x"}')).toEqual({kind: 'malformed', reason: 'no "event" field'})
    const bad = parseAuditEventJson(JSON.stringify({...decision('r1', T0), task: 'poetry'}))
    expect(bad.kind).toBe('malformed')
    expect(bad.kind === 'malformed' && bad.reason).toMatch(/^route_decision: task/)
  })

  it('skips blank lines', () => {
    expect(parseAuditEventJson('   ')).toEqual({kind: 'blank'})
  })
})

describe('test/fixtures/audit/sample.jsonl', () => {
  it('holds only valid audit events, one per line', () => {
    const lines = readFileSync(new URL('../../fixtures/audit/sample.jsonl', import.meta.url), 'utf8')
      .trimEnd()
      .split('\n')
    expect(lines.length).toBeGreaterThan(1000)
    for (const [index, line] of lines.entries()) {
      const result = AuditEventSchema.safeParse(JSON.parse(line))
      expect(result.success, `line ${index + 1}: ${result.error?.message}`).toBe(true)
    }
  })
})
