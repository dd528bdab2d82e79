/**
 * Reading audit events written by someone else (the audit log, the SSE stream of a running gateway), which may be
 * newer than this reader: unknown event names are reported as such (readers ignore them), and fields a newer gateway
 * added to a known event are dropped instead of rejecting the event.
 */
import {type AuditEvent, AuditEventSchema} from './schema.js'

/** What one line (or one SSE message) held. */
export type ParsedAuditLine =
  | {kind: 'event'; event: AuditEvent}
  | {kind: 'unknown'; name: string}
  | {kind: 'malformed'; reason: string}
  | {kind: 'blank'}

/** Every `event` name this version knows. */
export const KNOWN_AUDIT_EVENTS: ReadonlySet<string> = new Set(
  AuditEventSchema.options.flatMap((option) => {
    const field = option.shape.event as {options?: readonly string[]; value?: string}
    return field.options ? [...field.options] : field.value === undefined ? [] : [field.value]
  }),
)

/** Parses one JSON text (a log line without its newline). */
export function parseAuditEventJson(text: string): ParsedAuditLine {
  if (text.trim() === '') return {kind: 'blank'}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return {kind: 'malformed', reason: 'not JSON'}
  }
  return parseAuditEventValue(value)
}

/** Validates a parsed JSON value as an audit event. */
export function parseAuditEventValue(value: unknown): ParsedAuditLine {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {kind: 'malformed', reason: 'not a JSON object'}
  }
  const name = (value as {event?: unknown}).event
  if (typeof name !== 'string') return {kind: 'malformed', reason: 'no "event" field'}
  if (!KNOWN_AUDIT_EVENTS.has(name)) return {kind: 'unknown', name}
  const first = AuditEventSchema.safeParse(value)
  if (first.success) return {kind: 'event', event: first.data}
  if (!first.error.issues.every((issue) => issue.code === 'unrecognized_keys')) {
    const issue = first.error.issues[0]
    return {kind: 'malformed', reason: `${name}: ${issue.path.join('.') || '(root)'}: ${issue.message}`}
  }
  const copy = structuredClone(value) as Record<string, unknown>
  for (const issue of first.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue
    let target: unknown = copy
    for (const key of issue.path) target = (target as Record<PropertyKey, unknown>)?.[key as PropertyKey]
    if (typeof target === 'object' && target !== null) {
      for (const key of issue.keys) delete (target as Record<string, unknown>)[key]
    }
  }
  const second = AuditEventSchema.safeParse(copy)
  if (second.success) return {kind: 'event', event: second.data}
  return {kind: 'malformed', reason: `${name}: ${second.error.issues[0]?.message ?? 'invalid'}`}
}
