/**
 * Prompt caching as the providers report it, so that usage carries cached tokens the way the real APIs count them
 * (the counts are where gateways go wrong: adding cached tokens twice, or dropping them):
 * - OpenAI caches automatically (https://platform.openai.com/docs/guides/prompt-caching): a prompt of 1024 tokens or
 *   more whose beginning was sent before reports that shared prefix, in steps of 128 tokens, as
 *   `prompt_tokens_details.cached_tokens` (Responses: `input_tokens_details.cached_tokens`), and `prompt_tokens`
 *   includes them.
 * - Anthropic caches only up to a `cache_control` breakpoint (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching):
 *   the prefix up to the last breakpoint (tools, then system, then messages) is read from the cache when an earlier
 *   request wrote it (`cache_read_input_tokens`) and written otherwise (`cache_creation_input_tokens`), from 1024
 *   tokens on; `input_tokens` counts only what is neither.
 * A cache belongs to one model (a provider's cache holds a model's own state of the prompt): a conversation that moves
 * to another model starts cold there.
 * Tokens are characters / 4, as everywhere in the simulator.
 */

const MIN_CACHED_TOKENS = 1024
const OPENAI_STEP = 128
/** Recent prompts (and Anthropic prefixes) remembered per model: enough for a few interleaved conversations. */
const REMEMBERED = 32
/** Models whose prompts are remembered; the one used least recently is forgotten first. */
const MODELS = 64

/** Anthropic's cache counts for one request. */
export interface AnthropicCacheUsage {
  read: number
  write: number
}

/** What one simulator has seen, per model, for the cached-token counts of the next requests. */
export class PromptCache {
  private readonly models = new Map<string, {prompts: string[]; prefixes: string[]}>()

  /** OpenAI: the tokens of `prompt` that an earlier prompt to `model` shared, in 128-token steps from 1024 on; remembers it. */
  openai(model: string, prompt: string): number {
    const {prompts} = this.of(model)
    let shared = 0
    for (const earlier of prompts) shared = Math.max(shared, commonPrefix(earlier, prompt))
    remember(prompts, prompt)
    const tokens = Math.floor(shared / 4)
    return tokens < MIN_CACHED_TOKENS ? 0 : Math.floor(tokens / OPENAI_STEP) * OPENAI_STEP
  }

  /** Anthropic: `prefix` (the prompt up to its last breakpoint) read from `model`'s cache or written to it. */
  anthropic(model: string, prefix: string): AnthropicCacheUsage {
    const tokens = Math.ceil(prefix.length / 4)
    if (tokens < MIN_CACHED_TOKENS) return {read: 0, write: 0}
    const {prefixes} = this.of(model)
    let read = 0
    for (const earlier of prefixes) if (prefix.startsWith(earlier)) read = Math.max(read, Math.ceil(earlier.length / 4))
    remember(prefixes, prefix)
    return {read, write: tokens - read}
  }

  private of(model: string): {prompts: string[]; prefixes: string[]} {
    let entry = this.models.get(model)
    if (entry === undefined) entry = {prompts: [], prefixes: []}
    else this.models.delete(model)
    this.models.set(model, entry)
    if (this.models.size > MODELS) this.models.delete(this.models.keys().next().value!)
    return entry
  }
}

function remember(list: string[], text: string): void {
  if (list.includes(text)) return
  list.push(text)
  if (list.length > REMEMBERED) list.shift()
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}
