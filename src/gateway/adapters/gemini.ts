/**
 * Google Gemini through its OpenAI compatibility layer (https://ai.google.dev/gemini-api/docs/openai), at the
 * catalog's base URL `https://generativelanguage.googleapis.com/v1beta/openai`.
 *
 * The layer maps OpenAI fields onto `generateContent` and answers 400 ("Invalid JSON payload received. Unknown name
 * …") for a field it has no mapping for, so the fields below are removed before the request leaves. Everything else
 * it accepts is kept: `messages`, `model`, `max_tokens`, `max_completion_tokens`, `temperature`, `top_p`, `n`,
 * `stop`, `seed`, `presence_penalty`, `frequency_penalty`, `response_format`, `tools`, `tool_choice`,
 * `reasoning_effort`, `stream`, `stream_options`, `logprobs`, `top_logprobs`, `modalities`, `audio`, and `extra_body`
 * (Gemini reads Google-specific options such as `thinking_config` from a literal `extra_body.google` field).
 */
import type {Endpoint} from '../../core/routing/schema.js'
import {openAIFormatAdapter} from './openai.js'

/**
 * Chat fields Gemini's OpenAI layer rejects:
 * - `store`, `metadata`: OpenAI's stored completions (distillation, evals); Gemini stores nothing.
 * - `logit_bias`: Gemini has no token biasing.
 * - `service_tier`: OpenAI's processing tiers (`flex`, `priority`).
 * - `parallel_tool_calls`: Gemini decides on parallel calls itself and has no switch for it.
 * - `prediction`: OpenAI's predicted outputs.
 * - `user`, `safety_identifier`: OpenAI's end-user identifiers for abuse monitoring.
 * - `prompt_cache_key`, `prompt_cache_retention`: OpenAI's prompt-cache routing (Gemini caches by `cached_content`).
 * - `verbosity`: a GPT-5 option.
 * - `functions`, `function_call` are *not* removed: they are a different, deprecated way to ask for tools, and
 *   dropping them would silently change the answer; Gemini's error says what to use instead.
 */
export const GEMINI_REJECTED_CHAT_FIELDS: readonly string[] = [
  'store',
  'metadata',
  'logit_bias',
  'service_tier',
  'parallel_tool_calls',
  'prediction',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'verbosity',
]

/** Embedding and image fields Gemini rejects: the end-user identifier, as for chat. */
export const GEMINI_REJECTED_OTHER_FIELDS: readonly string[] = ['user']

function withoutFields(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  // Copy only when a rejected field is actually present: the common request passes through with no allocation.
  let copy: Record<string, unknown> | undefined
  for (const field of fields) {
    if (field in body) {
      copy ??= {...body}
      delete copy[field]
    }
  }
  return copy ?? body
}

function prepareGeminiBody(body: Record<string, unknown>, endpoint: Endpoint): Record<string, unknown> {
  if (endpoint === 'chat.completions') return withoutFields(body, GEMINI_REJECTED_CHAT_FIELDS)
  if (endpoint === 'embeddings' || endpoint === 'images.generations') {
    return withoutFields(body, GEMINI_REJECTED_OTHER_FIELDS)
  }
  return body
}

/**
 * Gemini: chat completions, embeddings and image generation (Imagen) exist in the compatibility layer; the Responses
 * API does not (it goes through `withResponsesBridge`), nor do legacy completions (the gateway sends those elsewhere).
 * A passthrough path (e.g. `/models`) is allowed. Errors arrive as Google's `[{"error": {...}}]` list and are unwrapped
 * by the shared error normaliser.
 */
export const geminiAdapter = openAIFormatAdapter({
  // A bare `https://generativelanguage.googleapis.com` means the compatibility layer's root.
  versionSegment: '/v1beta/openai',
  endpoints: new Set<Endpoint>(['chat.completions', 'embeddings', 'images.generations', 'passthrough']),
  prepareBody: prepareGeminiBody,
})
