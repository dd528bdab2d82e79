/**
 * `provider login --verify`: one GET of the provider's models endpoint with the new credential, so a wrong key is
 * caught at login instead of at the first routed request.
 */
import type {Provider} from '../../core/catalog/schema.js'
import {joinUpstreamUrl} from '../../core/config/url.js'
import {RouterError} from '../../core/errors.js'
import {fetchFailureReason} from '../../core/fetch-failure.js'

/** Headers that carry a key, per wire protocol (Anthropic has its own; everyone else takes a bearer token). */
const AUTH_HEADERS: Partial<Record<Provider['adapter'], (token: string) => Record<string, string>>> = {
  anthropic: (token) => ({'x-api-key': token, 'anthropic-version': '2023-06-01'}),
}

/** What a successful check saw. */
export interface VerifyResult {
  url: string
  /** How many models the key can see, when the answer says. */
  models: number | undefined
}

/** The models endpoint of an account: the provider's absolute `models_url`, else `models_path` under the base URL. */
export function modelsUrl(provider: Provider, baseUrl: string | undefined): string {
  if (provider.models_url && (baseUrl === undefined || baseUrl === provider.base_url)) return provider.models_url
  // A bare host (`http://gpu-box:8000`) gets the API root of the provider's own URL (`/v1`, `/v1beta/openai`…).
  const root = new URL(provider.base_url).pathname.replace(/\/+$/, '')
  return joinUpstreamUrl(baseUrl ?? provider.base_url, provider.models_path, {versionSegment: root || '/v1'})
}

/** Checks a credential; throws a `RouterError` that says what went wrong and what to check. */
export async function verifyCredential(options: {
  provider: Provider
  baseUrl?: string
  token: string | undefined
  /** Where the key came from, for messages (`--apikey`, `$OPENAI_API_KEY`). */
  source: string
  fetch?: typeof fetch
  timeoutMs?: number
}): Promise<VerifyResult> {
  const {provider, token} = options
  const url = modelsUrl(provider, options.baseUrl)
  const headers: Record<string, string> = {accept: 'application/json'}
  if (token)
    Object.assign(headers, (AUTH_HEADERS[provider.adapter] ?? ((t: string) => ({authorization: `Bearer ${t}`})))(token))
  const timeoutMs = options.timeoutMs ?? 15_000
  let response: Response
  try {
    response = await (options.fetch ?? fetch)(url, {headers, signal: AbortSignal.timeout(timeoutMs)})
  } catch (error) {
    const reason = fetchFailureReason(error, timeoutMs)
    throw new RouterError('verify_unreachable', `Could not reach ${provider.display_name} at ${url}: ${reason}.`, {
      hint: options.baseUrl
        ? 'check --base-url and that the server is running; nothing was written'
        : 'check your network connection (and proxy settings); nothing was written',
    })
  }
  const text = await response.text()
  if (response.status === 401 || response.status === 403) {
    throw new RouterError(
      'verify_rejected',
      `The key was rejected by ${provider.display_name} (HTTP ${response.status} from ${url}).`,
      {
        hint: `check the key in ${options.source}${provider.docs_url ? ` (see ${provider.docs_url})` : ''}, and that it may list models; nothing was written`,
      },
    )
  }
  if (!response.ok) {
    throw new RouterError('verify_failed', `${provider.display_name} answered HTTP ${response.status} to ${url}.`, {
      hint:
        response.status === 404
          ? 'check --base-url: it should be the API root (e.g. http://host:port/v1); nothing was written'
          : 'try again later, or log in without --verify; nothing was written',
    })
  }
  return {url, models: countModels(text)}
}

/** Model count of a models-list answer: OpenAI's `{data: [...]}`, Ollama's `{models: [...]}`, or a bare list. */
function countModels(text: string): number | undefined {
  try {
    const body = JSON.parse(text) as unknown
    if (Array.isArray(body)) return body.length
    if (body && typeof body === 'object') {
      for (const key of ['data', 'models']) {
        const list = (body as Record<string, unknown>)[key]
        if (Array.isArray(list)) return list.length
      }
    }
  } catch {
    // Not JSON: the key worked, the count is unknown.
  }
  return undefined
}
