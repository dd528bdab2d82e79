/**
 * The ChatGPT backend that Codex uses (base `https://chatgpt.com/backend-api`), for ChatGPT subscriptions signed in
 * by OAuth. Upstream there is one endpoint, `POST {base}/codex/responses`, speaking the Responses API and only as a
 * stream (`stream: true`, `store: false` are mandatory). So:
 * - a chat completion is translated into a Responses request, and the Responses SSE back into chat chunks (streaming
 *   client) or one assembled `chat.completion` (non-streaming client);
 * - a Responses request is forwarded with `stream: true`, `store: false`; its SSE is relayed to a streaming client,
 *   and a non-streaming client gets the final `response` object.
 *
 * `response.failed` and `error` events become an `AdapterError` with the upstream's message, never a truncated
 * success. `response.incomplete` is an honest, complete answer (the model stopped at a limit or a content filter):
 * chat clients get `finish_reason: length` or `content_filter`, Responses clients the `incomplete` response as the
 * OpenAI API itself returns it.
 */
import type {Endpoint} from '../../../core/routing/schema.js'
import {wantsStreamUsage} from '../shared.js'
import type {
  AdapterRequestContext,
  ProviderAdapter,
  StreamTranslator,
  TranslatedResponse,
  UpstreamRequest,
} from '../types.js'
import {codexHeaders, responsesUrl} from './api.js'
import {translateCodexError} from './errors.js'
import {codexRequestBody} from './request.js'
import {chatCompletionFromCodexSse, responseFromCodexSse} from './response.js'
import {CodexChatStreamTranslator, CodexResponsesStreamTranslator} from './stream.js'

/** ChatGPT backend: chat completions (translated) and Responses (forwarded). */
export const openaiCodexAdapter = {
  supports: (endpoint: Endpoint) => endpoint === 'chat.completions' || endpoint === 'responses',

  buildRequest(ctx: AdapterRequestContext): UpstreamRequest {
    const headers = codexHeaders(ctx)
    const body = codexRequestBody(ctx)
    return {
      url: responsesUrl(ctx.account.base_url),
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      upstreamStreams: true,
    }
  },

  translateResponse(status: number, text: string, ctx: AdapterRequestContext): TranslatedResponse {
    if (status >= 400) return translateCodexError(status, text)
    if (ctx.endpoint === 'responses') return {status, body: responseFromCodexSse(text)}
    return {status, body: chatCompletionFromCodexSse(text, ctx.upstreamModel)}
  },

  translateError: translateCodexError,

  createStreamTranslator(ctx: AdapterRequestContext): StreamTranslator {
    if (ctx.endpoint === 'responses') return new CodexResponsesStreamTranslator()
    return new CodexChatStreamTranslator(ctx.upstreamModel, wantsStreamUsage(ctx.body))
  },
} satisfies ProviderAdapter
