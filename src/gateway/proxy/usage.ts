/** Token usage read from the end of an answer, where the APIs put it, without parsing the whole JSON. */
import type {TokenUsage} from '../../core/routing/schema.js'
import {tokenCounts} from '../adapters/shared.js'

/**
 * The usage fields searched for, each the first time it appears in the tail. A name must follow a quote, so that
 * `"cache_read_input_tokens"` is never taken for `"input_tokens"`. `cached_tokens` and `cache_write_tokens` sit in
 * `prompt_tokens_details` (chat) or `input_tokens_details` (Responses), where both mean the same.
 */
const USAGE_FIELDS = [
  'prompt_tokens',
  'input_tokens',
  'completion_tokens',
  'output_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
].map((name) => [name, new RegExp(`"${name}"\\s*:\\s*(\\d+)`)] as const)

/** How much of an answer's end is kept and searched. */
export const USAGE_TAIL_CHARS = 2048

/** Token usage from the tail of a body, or null when it names none; normalised as `tokenCounts` does. */
export function usageFrom(text: string): TokenUsage | null {
  const tail = text.length > USAGE_TAIL_CHARS ? text.slice(-USAGE_TAIL_CHARS) : text
  const found: Record<string, number> = {}
  for (const [name, pattern] of USAGE_FIELDS) {
    const match = pattern.exec(tail)
    if (match) found[name] = Number(match[1])
  }
  const {cached_tokens, cache_write_tokens, ...counts} = found
  return tokenCounts(Object.assign(counts, {prompt_tokens_details: {cached_tokens, cache_write_tokens}}))
}
