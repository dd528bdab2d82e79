/**
 * OpenAI's chat completions dialect, which is also every other OpenAI endpoint's (completions, embeddings, images, the
 * `/v1/*` passthrough): errors as `{"error": {"message", "type", "code", "param"}}` with the `_router` object of a
 * routed request, a broken stream ended by a `data: {"error": …}` chunk (what the OpenAI SDKs raise), the credential in
 * `Authorization`.
 */
import type {IncomingHttpHeaders} from 'node:http'

import type {GatewayError} from '../errors.js'
import type {ClientDialect} from './types.js'

/** The body of a gateway error in OpenAI's shape, with `_router` when given (shared with the Responses dialect). */
export function openAIErrorBody(error: GatewayError, router?: Record<string, unknown>): object {
  const body = error.toBody()
  return router === undefined ? body : Object.assign(body, {_router: router})
}

/** The `Authorization` header as it came (shared with the Responses dialect). */
export function bearerAuthorization(headers: IncomingHttpHeaders): string | undefined {
  return headers.authorization
}

/** An upstream's error as it came: the adapters already put it in OpenAI's shape. */
export function asIs(_status: number, text: string): string {
  return text
}

/** No client header goes to the adapters. */
export function passNothing(): void {}

/** The error that ends a broken stream, as OpenAI's APIs put it in an `error` member. */
export function streamErrorMember(message: string): {message: string; type: string; code: string; param: null} {
  return {
    message: `Upstream stream interrupted: ${message}`,
    type: 'upstream_error',
    code: 'stream_interrupted',
    param: null,
  }
}

export const CHAT: ClientDialect = {
  name: 'chat',
  prefix: null,
  endpoints: [
    ['/chat/completions', 'chat.completions'],
    ['/completions', 'completions'],
    ['/embeddings', 'embeddings'],
    ['/images/generations', 'images.generations'],
  ],
  errorBody: openAIErrorBody,
  upstreamError: asIs,
  streamError: (message) => `data: ${JSON.stringify({error: streamErrorMember(message)})}\n\n`,
  authorization: bearerAuthorization,
  passHeaders: passNothing,
}
