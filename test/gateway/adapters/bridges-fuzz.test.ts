/**
 * The Responses and Messages bridges read bodies that clients and providers wrote. Whatever the shape, they either
 * translate it or refuse it with an `AdapterError` (a clear 400 or 502); a `TypeError` from a field that is not what
 * it should be would reach the client as a confusing message. Seeded random bodies, so a failure can be replayed.
 */
import {describe, expect, it} from 'vitest'

import {
  ChatToMessagesStream,
  messageFromChat,
  messagesToChatBody,
} from '../../../src/gateway/adapters/messages-bridge.js'
import {
  ChatToResponsesStream,
  responseFromChat,
  responsesToChatBody,
} from '../../../src/gateway/adapters/responses-bridge.js'
import {AdapterError} from '../../../src/gateway/adapters/types.js'

const KEYS = [
  'type',
  'role',
  'content',
  'text',
  'input',
  'output',
  'call_id',
  'name',
  'arguments',
  'tool_calls',
  'function',
  'image_url',
  'source',
  'id',
  'tool_use_id',
  'is_error',
  'choices',
  'message',
  'delta',
  'index',
  'finish_reason',
  'usage',
  'format',
  'schema',
  'effort',
  'budget_tokens',
  'tools',
  'tool_choice',
  'instructions',
  'system',
  'messages',
  'stream',
  'thinking',
  'reasoning',
  'parameters',
  'input_schema',
]
const STRINGS = [
  'user',
  'assistant',
  'system',
  'developer',
  'tool',
  'function',
  'function_call',
  'function_call_output',
  'custom',
  'custom_tool_call',
  'message',
  'input_text',
  'output_text',
  'input_image',
  'image',
  'text',
  'tool_use',
  'tool_result',
  'thinking',
  'json_schema',
  'json_object',
  'enabled',
  'auto',
  'any',
  'none',
  'required',
  'stop',
  'length',
  'tool_calls',
  '',
  '{"a":1}',
  'data:image/png;base64,AA',
  'base64',
  'url',
]

/** A 32-bit linear congruential generator (with `Math.imul`: a float multiplication would lose the low bits). */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0
    return state / 0x1_0000_0000
  }
}

function value(next: () => number, depth: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]
  const r = next()
  if (depth > 3 || r < 0.3) return pick([null, undefined, 0, 1, -1, true, false, pick(STRINGS), pick(STRINGS), 1e9])
  if (r < 0.6) return Array.from({length: Math.floor(next() * 4)}, () => value(next, depth + 1))
  const object: Record<string, unknown> = {}
  for (let i = 0; i < 1 + next() * 5; i++) object[pick(KEYS)] = value(next, depth + 1)
  return object
}

describe('the API bridges on random input', () => {
  it('translate or refuse with an AdapterError, never throw anything else', () => {
    const next = random(7)
    const unexpected: string[] = []
    const attempt = (name: string, run: () => unknown) => {
      try {
        run()
      } catch (error) {
        if (!(error instanceof AdapterError)) unexpected.push(`${name}: ${(error as Error).message}`)
      }
    }
    for (let i = 0; i < 10_000; i++) {
      const raw = value(next, 0)
      const body =
        typeof raw === 'object' && raw !== null && !Array.isArray(raw)
          ? (raw as Record<string, unknown>)
          : {input: raw, messages: raw}
      const stream = next() < 0.5
      const chunk = `data: ${JSON.stringify(value(next, 0) ?? null)}\n\ndata: ${JSON.stringify({choices: [{delta: value(next, 1), finish_reason: 'stop'}]})}\n\n`
      attempt('responsesToChatBody', () => responsesToChatBody(body, stream))
      attempt('messagesToChatBody', () => messagesToChatBody(body, stream))
      attempt('responseFromChat', () => responseFromChat(value(next, 0), body))
      attempt('messageFromChat', () => messageFromChat(value(next, 0)))
      attempt('ChatToResponsesStream', () => {
        const translator = new ChatToResponsesStream(body)
        translator.push(chunk)
        translator.end()
      })
      attempt('ChatToMessagesStream', () => {
        const translator = new ChatToMessagesStream()
        translator.push(chunk)
        translator.end()
      })
    }
    expect(unexpected).toEqual([])
  })
})
