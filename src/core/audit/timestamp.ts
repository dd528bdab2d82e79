/**
 * The `ts` of audit events: the current time as ISO 8601 with milliseconds (`2026-12-07T13:45:00.123Z`). A request
 * publishes several events within the same millisecond, and a busy gateway many requests: the string is built once per
 * millisecond, and from the day's prefix, which changes once a day (`Date#toISOString` costs about 0.5 µs a call, a
 * noticeable share of a request's budget when called several times per request).
 */
import {isoTimestamp} from '../iso-time.js'

let lastMs = -1
let lastIso = ''

export function auditTimestamp(): string {
  const now = Date.now()
  if (now !== lastMs) {
    lastMs = now
    lastIso = isoTimestamp(now)
  }
  return lastIso
}

/**
 * `Date.parse` of an audit `ts`: free for the timestamp this process built last (live metrics read back the `ts` of
 * every event the gateway publishes), `Date.parse` for any other text.
 */
export function parseAuditTimestamp(text: string): number {
  return text === lastIso ? lastMs : Date.parse(text)
}
