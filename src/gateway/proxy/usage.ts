/** Token usage read from the end of an answer, where OpenAI-shaped APIs put it, without parsing the whole JSON. */
import type {TokenUsage} from '../../core/routing/model-info.js'

const USAGE_PROMPT = /"(?:prompt_tokens|input_tokens)"\s*:\s*(\d+)/
const USAGE_COMPLETION = /"(?:completion_tokens|output_tokens)"\s*:\s*(\d+)/
/** How much of an answer's end is kept and searched. */
export const USAGE_TAIL_CHARS = 2048

/** Token usage from the tail of a body, or null when it names none. */
export function usageFrom(text: string): TokenUsage | null {
  const tail = text.length > USAGE_TAIL_CHARS ? text.slice(-USAGE_TAIL_CHARS) : text
  const prompt = USAGE_PROMPT.exec(tail)
  const completion = USAGE_COMPLETION.exec(tail)
  if (!prompt && !completion) return null
  return {
    prompt_tokens: prompt ? Number(prompt[1]) : null,
    completion_tokens: completion ? Number(completion[1]) : null,
  }
}
