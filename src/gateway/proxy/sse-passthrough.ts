/**
 * An upstream SSE stream relayed in the client's own dialect, cut at event boundaries: only whole events go to the
 * client, so that a stream that breaks mid-event never leaves half a `data:` line for the gateway's error event to be
 * glued onto (SDKs would throw a SyntaxError instead of an API error). It also watches for what ends the stream
 * properly and for the provider's own error events, by the markers each API's reference defines:
 * - Chat and legacy completions: `data: [DONE]` ends every stream, after the chunk with a `finish_reason`;
 *   a failure is a `data: {"error": …}` event (https://platform.openai.com/docs/api-reference/chat-streaming).
 * - Responses: `response.completed` or `response.incomplete` ends it; `response.failed` and `error` events are
 *   failures (https://platform.openai.com/docs/api-reference/responses-streaming).
 * - Messages: `message_stop` ends it; an `error` event is a failure
 *   (https://docs.anthropic.com/en/api/messages-streaming).
 * Markers are searched as bytes, anchored at the start of a line: inside a JSON string a quote or a line break is
 * always escaped, so `data: {"type":"response.completed"` or `data: {"error"` can only be the real thing, never text a
 * model wrote or a tool schema echoed. (A chunk's `"finish_reason":"` is a key for the same reason.)
 */
import type {Endpoint} from '../../core/routing/schema.js'
import type {UpstreamErrorDetail} from './outcome.js'
import {errorDetail} from './relay-json.js'
import {USAGE_TAIL_CHARS} from './usage.js'

interface Markers {
  done: Buffer[]
  error: Buffer[]
}

const bytes = (...texts: string[]): Buffer[] => texts.map((text) => Buffer.from(text))

const CHAT: Markers = {done: bytes('data: [DONE]', '"finish_reason":"'), error: bytes('data: {"error"')}
const MARKERS: Partial<Record<Endpoint, Markers>> = {
  'chat.completions': CHAT,
  completions: CHAT,
  responses: {
    done: bytes(
      'event: response.completed',
      'event: response.incomplete',
      'data: {"type":"response.completed"',
      'data: {"type":"response.incomplete"',
    ),
    error: bytes('event: response.failed', 'event: error', 'data: {"type":"response.failed"', 'data: {"type":"error"'),
  },
  messages: {
    done: bytes('event: message_stop', 'data: {"type":"message_stop"'),
    error: bytes('event: error', 'data: {"type":"error"'),
  },
}

const LF2 = Buffer.from('\n\n')
const CRLF2 = Buffer.from('\r\n\r\n')
const EMPTY = Buffer.alloc(0)

export class SsePassthrough {
  private readonly markers: Markers | undefined
  /** The start of an event whose blank line has not arrived yet. */
  private pending: Buffer = EMPTY
  /** The last whole events, newest last, kept (as references) until they hold the usage chunk's worth of bytes. */
  private recent: Buffer[] = []
  private recentBytes = 0
  /** The stream reached its proper end (always true for APIs without a known end). */
  done: boolean
  /** The provider's own error event, once one went by. */
  error: UpstreamErrorDetail | null = null

  constructor(endpoint: Endpoint) {
    this.markers = MARKERS[endpoint]
    this.done = this.markers === undefined
  }

  /** Takes upstream bytes; returns the whole events among them (and before them) to write now, possibly empty. */
  push(chunk: Buffer): Buffer {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const cut = boundary(data)
    if (cut === 0) {
      this.pending = data
      return EMPTY
    }
    const whole = cut === data.length ? data : data.subarray(0, cut)
    this.pending = cut === data.length ? EMPTY : data.subarray(cut)
    this.inspect(whole)
    return whole
  }

  /**
   * The stream ended: an event left without its blank line is returned terminated when it is whole (its data is
   * JSON or `[DONE]`), and dropped when it was cut short. Returns what to write, possibly empty.
   */
  end(): Buffer {
    const rest = this.pending
    this.pending = EMPTY
    if (rest.length === 0 || !wholeEvent(rest.toString('utf8'))) return EMPTY
    const terminated = Buffer.concat([rest, LF2])
    this.inspect(terminated)
    return terminated
  }

  /** The text of the last events (where the usage chunk is), decoded only now. */
  tail(): string {
    return Buffer.concat(this.recent).toString('utf8')
  }

  private inspect(events: Buffer): void {
    this.recent.push(events)
    this.recentBytes += events.length
    while (this.recent.length > 1 && this.recentBytes - this.recent[0].length >= USAGE_TAIL_CHARS) {
      this.recentBytes -= this.recent.shift()!.length
    }
    const markers = this.markers
    if (markers === undefined) return
    if (this.error === null) {
      for (const marker of markers.error) {
        const at = events.indexOf(marker)
        if (at !== -1) {
          this.error = eventError(events, at)
          break
        }
      }
    }
    if (!this.done) for (const marker of markers.done) if (events.includes(marker)) this.done = true
  }
}

/** Where the last whole event ends (after its blank line), or 0. */
function boundary(data: Buffer): number {
  const lf = data.lastIndexOf(LF2)
  const crlf = data.lastIndexOf(CRLF2)
  return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 4)
}

/** Whether an event's text (without its blank line) is whole: its data is `[DONE]` or parses as JSON. */
function wholeEvent(text: string): boolean {
  const data = dataOf(text)
  if (data === null) return false
  if (data === '[DONE]') return true
  try {
    JSON.parse(data)
    return true
  } catch {
    return false
  }
}

/** The joined `data:` lines of one event's text, or null when it has none. */
function dataOf(text: string): string | null {
  const lines: string[] = []
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('data:')) lines.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5))
  }
  return lines.length === 0 ? null : lines.join('\n')
}

/** What the provider said in the error event found at `at`. */
function eventError(events: Buffer, at: number): UpstreamErrorDetail {
  const previous = events.lastIndexOf(LF2, at)
  const start = previous === -1 ? 0 : previous + 2
  let end = events.indexOf(LF2, at)
  if (end === -1) end = events.length
  const data = dataOf(events.subarray(start, end).toString('utf8'))
  const fallback: UpstreamErrorDetail = {
    message: 'the upstream reported an error in the stream',
    type: 'upstream_error',
    code: null,
  }
  if (data === null) return fallback
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return fallback
  }
  if (typeof parsed !== 'object' || parsed === null) return fallback
  const object = parsed as {error?: unknown; response?: {error?: unknown}; message?: unknown; code?: unknown}
  // Chat: {"error": {...}}; Messages: {"type": "error", "error": {...}}; Responses: {"type": "response.failed",
  // "response": {"error": {"code", "message"}}} or {"type": "error", "code", "message"}.
  const nested = object.error ?? object.response?.error
  if (nested !== undefined) return errorDetail(JSON.stringify({error: nested})) ?? fallback
  if (typeof object.message === 'string') {
    return {message: object.message, type: 'upstream_error', code: typeof object.code === 'string' ? object.code : null}
  }
  return fallback
}
