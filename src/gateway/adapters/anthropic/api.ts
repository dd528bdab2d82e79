/**
 * Where Anthropic's Messages API lives and what every request to it carries (https://docs.anthropic.com/en/api/messages):
 * `POST {base}/messages` with `x-api-key` and `anthropic-version`, base `https://api.anthropic.com/v1`.
 */
import {urlJoiner, withAccountHeaders} from '../shared.js'
import type {AdapterRequestContext} from '../types.js'

/** The Messages API version every request pins. */
export const ANTHROPIC_VERSION = '2023-06-01'

const join = urlJoiner('/v1')

/** `{base}/messages`, the one endpoint every request goes to. */
export function messagesUrl(baseUrl: string): string {
  return join(baseUrl, '/messages')
}

/** The headers of one request: the key, the pinned API version, the betas the request asks for, the account's own. */
export function anthropicHeaders(ctx: AdapterRequestContext, betas: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
  }
  if (ctx.credential.token) headers['x-api-key'] = ctx.credential.token
  if (ctx.stream) headers.accept = 'text/event-stream'
  if (betas.length > 0) headers['anthropic-beta'] = betas.join(',')
  return withAccountHeaders(headers, ctx.account)
}
