/**
 * Reasoning state belongs to the provider and account that produced it: Anthropic's thinking blocks carry a signature
 * only Anthropic verifies, OpenAI's `reasoning` items an `encrypted_content` only the organisation that made it can
 * read, Gemini's tool calls a `thought_signature`, and some OpenAI-compatible servers a `reasoning_content`. When a
 * session must move to another target, the new one may reject them (Anthropic answers 400 to a tampered or foreign
 * signature; OpenAI to an encrypted item it cannot decrypt), so they are stripped from the request it gets. While the
 * session stays, they go untouched: they are what keeps the reasoning going and the prompt cache warm.
 */
import type {Endpoint} from '../../core/routing/schema.js'

/** `body` without the reasoning state of earlier turns, or null when it carries none (the body is then sent as is). */
export function withoutReasoningState(
  endpoint: Endpoint,
  body: Record<string, unknown>,
): Record<string, unknown> | null {
  if (endpoint === 'messages') return stripList(body, 'messages', stripThinkingBlocks)
  if (endpoint === 'responses') return stripResponsesInput(body)
  if (endpoint === 'chat.completions') return stripList(body, 'messages', stripChatMessage)
  return null
}

/** Applies `strip` to each item of `body[field]`; a new body when any item changed, else null. */
function stripList(
  body: Record<string, unknown>,
  field: string,
  strip: (item: Record<string, unknown>) => Record<string, unknown> | null,
): Record<string, unknown> | null {
  const items = body[field]
  if (!Array.isArray(items)) return null
  let changed = false
  const next = items.map((item: unknown) => {
    if (item === null || typeof item !== 'object') return item
    const stripped = strip(item as Record<string, unknown>)
    if (stripped === null) return item
    changed = true
    return stripped
  })
  return changed ? Object.assign({}, body, {[field]: next}) : null
}

const THINKING_BLOCKS = new Set(['thinking', 'redacted_thinking'])

/** An Anthropic assistant turn without its thinking blocks (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking). */
function stripThinkingBlocks(message: Record<string, unknown>): Record<string, unknown> | null {
  if (message.role !== 'assistant' || !Array.isArray(message.content)) return null
  const kept = message.content.filter(
    (block: unknown) => !THINKING_BLOCKS.has((block as {type?: unknown} | null)?.type as string),
  )
  if (kept.length === message.content.length) return null
  // A turn that was only thinking keeps an empty text block: the Messages API refuses an empty content list.
  return Object.assign({}, message, {content: kept.length > 0 ? kept : [{type: 'text', text: ''}]})
}

/** A Responses input without `reasoning` items (their `encrypted_content` and summaries are the old target's). */
function stripResponsesInput(body: Record<string, unknown>): Record<string, unknown> | null {
  const input = body.input
  if (!Array.isArray(input)) return null
  const kept = input.filter((item: unknown) => (item as {type?: unknown} | null)?.type !== 'reasoning')
  return kept.length === input.length ? null : Object.assign({}, body, {input: kept})
}

/**
 * A chat assistant turn without what one provider adds for itself: `reasoning_content` / `reasoning_details`
 * (DeepSeek, OpenRouter and other OpenAI-compatible servers) and Gemini's `extra_content` thought signatures on tool
 * calls (https://ai.google.dev/gemini-api/docs/openai#thinking).
 */
function stripChatMessage(message: Record<string, unknown>): Record<string, unknown> | null {
  if (message.role !== 'assistant') return null
  let next: Record<string, unknown> | null = null
  for (const field of ['reasoning_content', 'reasoning_details', 'reasoning', 'extra_content']) {
    if (message[field] === undefined) continue
    next ??= {...message}
    delete next[field]
  }
  if (
    Array.isArray(message.tool_calls) &&
    message.tool_calls.some((call: unknown) => (call as {extra_content?: unknown} | null)?.extra_content !== undefined)
  ) {
    next ??= {...message}
    next.tool_calls = message.tool_calls.map((call: unknown) => {
      if ((call as {extra_content?: unknown} | null)?.extra_content === undefined) return call
      const {extra_content: _signature, ...rest} = call as Record<string, unknown>
      return rest
    })
  }
  return next
}
