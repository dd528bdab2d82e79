/**
 * OpenAI's Responses dialect (`/v1/responses`, Codex CLI's API): errors as on chat completions; a broken stream ends
 * with the Responses API's `error` event, which its clients (the OpenAI SDK, Codex) raise.
 */
import {asIs, bearerAuthorization, openAIErrorBody, passNothing, streamErrorMember} from './chat.js'
import type {ClientDialect} from './types.js'

export const RESPONSES: ClientDialect = {
  name: 'responses',
  prefix: '/v1/responses',
  endpoints: [['/responses', 'responses']],
  errorBody: openAIErrorBody,
  upstreamError: asIs,
  streamError(message) {
    const error = streamErrorMember(message)
    return `event: error\ndata: ${JSON.stringify({type: 'error', code: error.code, message: error.message, param: null, error})}\n\n`
  },
  authorization: bearerAuthorization,
  passHeaders: passNothing,
}
