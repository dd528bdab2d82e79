/**
 * The OpenAI wire format: the client's body goes upstream as is (its own bytes, `model` replaced), to the endpoint's
 * path under the account's base URL. Used by `openai`, `openrouter`, `nvidia`, `ollama` and `openai-compatible`;
 * `gemini` and `github` are variants built with the same factory.
 */
import {OPENAI_API_ENDPOINTS} from '../../core/routing/endpoints.js'
import type {Endpoint} from '../../core/routing/schema.js'
import {endpointPath, translateErrorGeneric, urlJoiner, withAccountHeaders} from './shared.js'
import type {AdapterRequestContext, ProviderAdapter, UpstreamRequest} from './types.js'

/** What sets one OpenAI-format provider apart from another. */
export interface OpenAIFormatOptions {
  /** Version segment added to a base URL that has no path (see `joinUpstreamUrl`); null for none. */
  versionSegment: string | null
  /** Endpoints the provider serves itself. */
  endpoints: ReadonlySet<Endpoint>
  /** Headers every request carries (lower-case names), before auth and the account's own headers. */
  headers?: Readonly<Record<string, string>>
  /** Rewrites the body for the provider (e.g. removes fields it rejects); returns the body itself when unchanged. */
  prepareBody?: (body: Record<string, unknown>, endpoint: Endpoint) => Record<string, unknown>
}

/** Builds an adapter for a provider that speaks OpenAI's wire format. */
export function openAIFormatAdapter(options: OpenAIFormatOptions): ProviderAdapter {
  const join = urlJoiner(options.versionSegment)
  const staticHeaders = options.headers
  const prepareBody = options.prepareBody
  const endpoints = options.endpoints
  return {
    supports: (endpoint) => endpoints.has(endpoint),
    buildRequest(ctx: AdapterRequestContext): UpstreamRequest {
      const {account, credential} = ctx
      const headers: Record<string, string> = {'content-type': 'application/json'}
      if (staticHeaders !== undefined) Object.assign(headers, staticHeaders)
      if (credential.token) headers.authorization = `Bearer ${credential.token}`
      if (account.organization !== undefined) headers['openai-organization'] = account.organization
      if (account.project !== undefined) headers['openai-project'] = account.project
      withAccountHeaders(headers, account)
      const body = prepareBody === undefined ? ctx.body : prepareBody(ctx.body, ctx.endpoint)
      return {
        url: join(account.base_url, endpointPath(ctx.endpoint, ctx.path)),
        method: 'POST',
        headers,
        // An unchanged body goes as the client wrote it; an edited one is serialised.
        body: body === ctx.body ? ctx.bodyJson() : JSON.stringify(body),
        upstreamStreams: false,
      }
    },
    translateError: translateErrorGeneric,
  }
}

/** OpenAI and every server that copies its API: the body and the answer pass through untouched. */
export const openaiAdapter: ProviderAdapter = openAIFormatAdapter({
  versionSegment: '/v1',
  endpoints: OPENAI_API_ENDPOINTS,
})
