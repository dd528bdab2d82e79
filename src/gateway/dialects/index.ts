/**
 * The client dialects, and the one place that picks a request's: by its path. A new endpoint of an API goes into its
 * dialect's `endpoints`; a new API (another vendor's client protocol) is a new dialect module, listed here.
 */
import type {Endpoint} from '../../core/routing/schema.js'
import {CHAT} from './chat.js'
import {MESSAGES} from './messages.js'
import {RESPONSES} from './responses.js'
import type {ClientDialect} from './types.js'

/** Every dialect; the default (OpenAI's chat completions, no prefix of its own) last. */
export const DIALECTS: readonly ClientDialect[] = [MESSAGES, RESPONSES, CHAT]

/** Every dedicated endpoint, by path after `/v1`; any other `POST /v1/*` is a passthrough. */
export const ENDPOINT_ROUTES: ReadonlyArray<readonly [path: string, endpoint: Endpoint]> = DIALECTS.flatMap(
  (dialect) => dialect.endpoints,
)

/** The dialect of a request, by its URL: the dialect whose prefix the path starts with, else OpenAI's chat completions. */
export function dialectOf(url: string): ClientDialect {
  for (let i = 0; i < DIALECTS.length; i++) {
    const prefix = DIALECTS[i].prefix
    if (prefix !== null && url.startsWith(prefix)) return DIALECTS[i]
  }
  return CHAT
}

export {CHAT, MESSAGES, RESPONSES}
export type {ClientDialect, PassedHeaders} from './types.js'
