/**
 * Incremental Server-Sent Events parsing and formatting (https://html.spec.whatwg.org/#event-stream-interpretation),
 * shared by the gateway's adapters and by `metrics tail --url`.
 */

/** One dispatched SSE event. `event` is undefined when the stream gave no `event:` field. */
export interface SseEvent {
  event?: string
  data: string
  id?: string
}

/**
 * Feeds text chunks (any split, including inside a line or a CRLF pair) and returns complete events.
 * Comments (`:` lines) are dropped; multi-line `data:` fields are joined with `\n` as the spec says.
 */
export class SseParser {
  private buffer = ''
  private dataLines: string[] = []
  private eventName: string | undefined
  private lastId: string | undefined
  private sawField = false

  /** Parses one chunk and returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk
    const events: SseEvent[] = []
    let start = 0
    for (;;) {
      const nl = this.buffer.indexOf('\n', start)
      if (nl === -1) break
      let line = this.buffer.slice(start, nl)
      if (line.endsWith('\r')) line = line.slice(0, -1)
      start = nl + 1
      this.line(line, events)
    }
    this.buffer = this.buffer.slice(start)
    // A lone trailing CR is a line end too, but it may be the first half of CRLF: keep it until more arrives.
    return events
  }

  /** Flushes a final event that had no blank line after it (a stream that ended abruptly). */
  end(): SseEvent[] {
    const events: SseEvent[] = []
    if (this.buffer.length > 0) {
      this.line(this.buffer.replace(/\r$/, ''), events)
      this.buffer = ''
    }
    this.line('', events)
    return events
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.sawField && (this.dataLines.length > 0 || this.eventName !== undefined)) {
        events.push({event: this.eventName, data: this.dataLines.join('\n'), id: this.lastId})
      }
      this.dataLines = []
      this.eventName = undefined
      this.sawField = false
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    this.sawField = true
    if (field === 'data') this.dataLines.push(value)
    else if (field === 'event') this.eventName = value
    else if (field === 'id') this.lastId = value
  }
}

/** Formats one SSE event (`event:` only when given); the data may contain newlines. */
export function formatSse(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`
  return `${head}data: ${data.split('\n').join('\ndata: ')}\n\n`
}
