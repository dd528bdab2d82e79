/**
 * Quality feedback at the gateway: remembers recently answered requests (what was asked, how it was classified, which
 * model answered), notices a client that asks the same thing again within the retry window, and takes explicit
 * verdicts (`POST /v1/router/feedback`). Each verdict is a `quality_feedback` audit event; live metrics count them
 * per task, complexity and model, and the runtime policy may raise a tier from those counts (core/policy/feedback.ts).
 *
 * A retry is the same conversation asked again: the same endpoint, caller and number of turns, the same first turn
 * (system prompt or instructions) and the same last user turn. An agent's next step (a tool result, a new question)
 * changes the last turn or the length, so it never counts.
 */
import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {QualityFeedbackEvent} from '../core/audit/schema.js'
import {auditTimestamp} from '../core/audit/timestamp.js'
import {textHash, textSketch} from '../core/text-hash.js'
import type {Complexity, Task} from '../core/config/schema.js'
import type {Endpoint} from '../core/routing/schema.js'

interface Remembered {
  task: Task
  complexity: Complexity
  retryKey: string | null
  /** The model that answered; null until the request succeeds. */
  model: string | null
  answeredAt: number
  judged: boolean
}

export interface FeedbackOptions {
  /** 0 turns retry detection off. */
  retryWindowMs: number
  /** Requests remembered at most (the oldest are forgotten first). */
  maxEntries: number
  now?: () => number
}

/** Longest comment kept from a client's verdict. */
const MAX_COMMENT = 500

export class QualityFeedback {
  private readonly entries = new Map<string, Remembered>()
  /**
   * Request ids in the order they were remembered, as a ring once full: the oldest is found here, not by iterating the
   * Map, whose iterator walks past every entry deleted before it (at 10 000 entries, microseconds a request).
   */
  private readonly order: string[] = []
  private oldest = 0
  /** The latest answered request of each retry key. */
  private readonly byKey = new Map<string, string>()
  private readonly now: () => number

  constructor(
    private readonly bus: AuditEventBus,
    private readonly options: FeedbackOptions,
  ) {
    this.now = options.now ?? Date.now
    bus.subscribe((event) => {
      if (event.event !== 'proxy_terminal' || event.outcome !== 'success' || event.model === null) return
      const entry = this.entries.get(event.request_id)
      if (entry === undefined) return
      entry.model = event.model
      entry.answeredAt = this.now()
      if (entry.retryKey !== null) this.byKey.set(entry.retryKey, event.request_id)
    })
  }

  /**
   * A request was routed: when it repeats an answered one within the window, that one gets a bad verdict. Then this
   * request is remembered.
   */
  routed(
    requestId: string,
    task: Task,
    complexity: Complexity,
    endpoint: Endpoint,
    body: Record<string, unknown>,
    principal: string | undefined,
  ): void {
    const retryKey = this.options.retryWindowMs > 0 ? retryKeyOf(endpoint, body, principal) : null
    if (retryKey !== null) {
      const previousId = this.byKey.get(retryKey)
      const previous = previousId === undefined ? undefined : this.entries.get(previousId)
      if (
        previous !== undefined &&
        !previous.judged &&
        this.now() - previous.answeredAt <= this.options.retryWindowMs
      ) {
        this.publish(previousId!, previous, 'retry', 'bad', requestId, null)
      }
    }
    if (this.order.length >= this.options.maxEntries) {
      const oldest = this.order[this.oldest]
      const entry = this.entries.get(oldest)
      this.entries.delete(oldest)
      if (entry !== undefined && entry.retryKey !== null && this.byKey.get(entry.retryKey) === oldest)
        this.byKey.delete(entry.retryKey)
      this.order[this.oldest] = requestId
      this.oldest = (this.oldest + 1) % this.order.length
    } else {
      this.order.push(requestId)
    }
    this.entries.set(requestId, {task, complexity, retryKey, model: null, answeredAt: 0, judged: false})
  }

  /**
   * A client's verdict on one of its answered requests: the event published, or why not (`unknown`: not remembered or
   * not answered; `judged`: it already has a verdict).
   */
  judge(
    requestId: string,
    verdict: 'good' | 'bad',
    comment: string | null,
  ): QualityFeedbackEvent | 'unknown' | 'judged' {
    const entry = this.entries.get(requestId)
    if (entry === undefined || entry.model === null) return 'unknown'
    if (entry.judged) return 'judged'
    return this.publish(
      requestId,
      entry,
      'client',
      verdict,
      null,
      comment === null ? null : comment.slice(0, MAX_COMMENT),
    )
  }

  private publish(
    requestId: string,
    entry: Remembered,
    source: 'retry' | 'client',
    verdict: 'good' | 'bad',
    by: string | null,
    comment: string | null,
  ): QualityFeedbackEvent {
    entry.judged = true
    const event: QualityFeedbackEvent = {
      ts: auditTimestamp(),
      request_id: requestId,
      event: 'quality_feedback',
      source,
      verdict,
      task: entry.task,
      complexity: entry.complexity,
      model: entry.model!,
      by_request_id: by,
      comment,
    }
    this.bus.publish(event)
    return event
  }
}

/** The fields that hold a request's turns, per endpoint. */
const TURNS: Partial<Record<Endpoint, string>> = {
  'chat.completions': 'messages',
  messages: 'messages',
  responses: 'input',
  completions: 'prompt',
}

/**
 * What makes two requests the same question: endpoint, caller, number of turns, the first turn (system prompt or
 * instructions) and the last turn, which must be the user's. Null when the request has no user turn last.
 */
export function retryKeyOf(
  endpoint: Endpoint,
  body: Record<string, unknown>,
  principal: string | undefined,
): string | null {
  const field = TURNS[endpoint]
  if (field === undefined) return null
  const turns = body[field]
  let count: number
  let first: string
  let last: string
  if (typeof turns === 'string') {
    count = 1
    first = ''
    last = turns
  } else if (Array.isArray(turns) && turns.length > 0) {
    const final = turns[turns.length - 1] as {role?: unknown; content?: unknown} | null
    if (typeof final !== 'object' || final === null || final.role !== 'user') return null
    count = turns.length
    first = textOf((turns[0] as {content?: unknown} | null)?.content)
    last = textOf(final.content)
  } else {
    return null
  }
  const system =
    typeof body.system === 'string' ? body.system : typeof body.instructions === 'string' ? body.instructions : ''
  if (last === '') return null
  return textHash(
    `${endpoint}\u0000${principal ?? ''}\u0000${count}\u0000${textSketch(system, 256)}\u0000${textSketch(first, 256)}\u0000${textSketch(last, 1024)}`,
  )
}

/** The text of a message's content: a string, or the text parts of a list. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const part of content) {
    const value = (part as {text?: unknown} | null)?.text
    if (typeof value === 'string') text += value
  }
  return text
}
