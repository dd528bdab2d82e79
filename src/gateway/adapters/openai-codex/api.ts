/**
 * Where the ChatGPT backend's Codex endpoint lives and what every request to it carries: `POST
 * {base}/codex/responses`, base `https://chatgpt.com/backend-api`, the access token of a ChatGPT sign-in, the ChatGPT
 * account id and the headers Codex CLI sends.
 */
import {urlJoiner, withAccountHeaders} from '../shared.js'
import type {AdapterRequestContext} from '../types.js'

/**
 * `originator` identifies the calling client to the ChatGPT backend, which serves Codex models on a ChatGPT plan to
 * first-party Codex clients; `codex_cli_rs` is the Codex CLI's own value, and matches the OAuth client id that
 * `provider login --kind chatgpt` signs in with. Requests with an unknown originator are not guaranteed to be served.
 */
export const CODEX_ORIGINATOR = 'codex_cli_rs'

// A bare `https://chatgpt.com` means the backend API root.
const join = urlJoiner('/backend-api')

/** `{base}/codex/responses`, the backend's one endpoint. */
export function responsesUrl(baseUrl: string): string {
  return join(baseUrl, '/codex/responses')
}

/** The headers of one request: always a stream, the token and ChatGPT account id, the account's own headers. */
export function codexHeaders(ctx: AdapterRequestContext): Record<string, string> {
  const {account, credential} = ctx
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    'openai-beta': 'responses=experimental',
    originator: CODEX_ORIGINATOR,
  }
  if (credential.token) headers.authorization = `Bearer ${credential.token}`
  if (credential.accountId) headers['chatgpt-account-id'] = credential.accountId
  return withAccountHeaders(headers, account)
}
