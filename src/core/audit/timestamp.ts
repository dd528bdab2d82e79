/**
 * The `ts` of audit events: the current time as ISO 8601 with milliseconds. A request publishes several events
 * within the same millisecond, and a busy gateway many requests: the string is built once per millisecond.
 */
let lastMs = -1
let lastIso = ''

export function auditTimestamp(): string {
  const now = Date.now()
  if (now !== lastMs) {
    lastMs = now
    lastIso = new Date(now).toISOString()
  }
  return lastIso
}
