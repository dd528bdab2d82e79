/**
 * Anthropic: chat completions, translated both ways, and the Messages API itself for Messages clients (their own
 * body, see `messagesForAnthropic`, with the upstream model id and their `anthropic-beta` header, and the answer
 * relayed as it comes, a stream event by event, see `AnthropicMessagesRelay`). The Responses API goes through
 * `withResponsesBridge`. URL and headers: `api.ts`; request bodies: `request.ts`; answers: `response.ts` and
 * `stream.ts`; errors: `errors.ts`.
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
import {anthropicHeaders, messagesUrl} from './api.js'
import {translateAnthropicError} from './errors.js'
import {anthropicRequestBody} from './request.js'
import {chatCompletionOfText} from './response.js'
import {AnthropicMessagesRelay, AnthropicStreamTranslator} from './stream.js'

/** The Anthropic protocol, as the adapter table (`../index.ts`) names it. */
export const anthropicAdapter = {
  supports: (endpoint: Endpoint) => endpoint === 'chat.completions' || endpoint === 'messages',

  buildRequest(ctx: AdapterRequestContext): UpstreamRequest {
    const {body, betas} = anthropicRequestBody(ctx)
    return {
      url: messagesUrl(ctx.account.base_url),
      method: 'POST',
      headers: anthropicHeaders(ctx, betas),
      body,
      upstreamStreams: false,
    }
  },

  translateResponse(status: number, text: string, ctx: AdapterRequestContext): TranslatedResponse | undefined {
    if (ctx.endpoint === 'messages') return undefined
    if (status >= 400) return translateAnthropicError(status, text)
    return {status, body: chatCompletionOfText(text, ctx.upstreamModel)}
  },

  translateError: translateAnthropicError,

  createStreamTranslator(ctx: AdapterRequestContext): StreamTranslator {
    if (ctx.endpoint === 'messages') return new AnthropicMessagesRelay()
    return new AnthropicStreamTranslator(ctx.upstreamModel, wantsStreamUsage(ctx.body))
  },
} satisfies ProviderAdapter
