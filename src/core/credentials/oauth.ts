/**
 * Pure pieces of the ChatGPT sign-in (OAuth 2.0 authorization code + PKCE, as Codex CLI does it) and of token refresh:
 * constants, PKCE, the authorize URL, callback parsing, token requests and answers, JWT claims. No sockets here: the
 * CLI (`src/cli/oauth/chatgpt-login.ts`) and the gateway (`src/gateway/credentials.ts`) do the I/O.
 */
import {createHash, randomBytes} from 'node:crypto'

// The decoder alone: the whole of jose is much slower to load, and every CLI start would pay for it.
import {decodeJwt} from 'jose/jwt/decode'

import {RouterError} from '../errors.js'
import {TokenErrorResponseSchema, TokenResponseSchema, type OAuthCredential, type TokenResponse} from './schema.js'

/** OpenAI's auth server and the public client Codex CLI signs in with. */
export const CHATGPT_OAUTH = {
  authorizeUrl: 'https://auth.openai.com/oauth/authorize',
  tokenUrl: 'https://auth.openai.com/oauth/token',
  clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
  redirectPort: 1455,
  redirectPath: '/auth/callback',
  scope: 'openid profile email offline_access',
  /** Scope Codex CLI asks for on refresh. */
  refreshScope: 'openid profile email',
  extraAuthorizeParams: {id_token_add_organizations: 'true', codex_cli_simplified_flow: 'true'},
} as const

/** The claim namespace in OpenAI's id and access tokens that carries the ChatGPT account. */
export const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth'

/** Refresh an access token when it expires within this long. */
export const REFRESH_MARGIN_MS = 5 * 60_000

/** A PKCE pair: the secret verifier and its S256 challenge (RFC 7636). */
export interface Pkce {
  verifier: string
  challenge: string
}

/** A fresh PKCE pair (64 random bytes, base64url, like Codex CLI). */
export function createPkce(): Pkce {
  const verifier = randomBytes(64).toString('base64url')
  return {verifier, challenge: pkceChallenge(verifier)}
}

/** S256 challenge of a verifier. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

/** A random `state` value for one sign-in. */
export function createState(): string {
  return randomBytes(32).toString('base64url')
}

/** `http://localhost:<port>/auth/callback`. */
export function defaultRedirectUri(port: number = CHATGPT_OAUTH.redirectPort): string {
  return `http://localhost:${port}${CHATGPT_OAUTH.redirectPath}`
}

/** The URL the user opens to sign in. */
export function buildAuthorizeUrl(options: {
  authorizeUrl: string
  clientId: string
  redirectUri: string
  challenge: string
  state: string
  scope?: string
  extraParams?: Record<string, string>
}): string {
  const url = new URL(options.authorizeUrl)
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope ?? CHATGPT_OAUTH.scope,
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
    ...(options.extraParams ?? CHATGPT_OAUTH.extraAuthorizeParams),
    state: options.state,
  }
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
  return url.toString()
}

/**
 * Reads what came back from the authorization server: a callback query, a whole redirect URL pasted by the user, or
 * a bare code. Checks `state` when there is one; a bare code has none to check.
 */
export function parseAuthorizationResponse(input: string | URLSearchParams, expectedState: string): {code: string} {
  const params = typeof input === 'string' ? callbackParams(input.trim()) : input
  if (params === undefined) return {code: (input as string).trim()}
  const error = params.get('error')
  if (error) {
    const description = params.get('error_description')
    if (error === 'access_denied') {
      throw new RouterError('oauth_denied', 'The sign-in was cancelled: consent was not given.', {
        hint: 'Run the command again and approve the request in the browser.',
      })
    }
    throw new RouterError(
      'oauth_error',
      `The authorization server answered "${error}"${description ? `: ${description}` : ''}.`,
      {
        hint: 'Run the command again; if it keeps failing, check --auth-url and --client-id.',
      },
    )
  }
  if (params.get('state') !== expectedState) {
    throw new RouterError(
      'oauth_state_mismatch',
      'The sign-in answer does not belong to this login (state mismatch).',
      {
        hint: 'Run the command again and finish the sign-in in the browser tab it opens (an old tab may have answered).',
      },
    )
  }
  const code = params.get('code')
  if (!code) {
    throw new RouterError('oauth_no_code', 'The sign-in answer has no authorization code.', {
      hint: 'Paste the whole address of the page the browser landed on, or run the command again.',
    })
  }
  return {code}
}

/** Query parameters of a pasted URL or query string; `undefined` for a bare code. */
function callbackParams(input: string): URLSearchParams | undefined {
  if (/^https?:\/\//i.test(input)) return new URL(input).searchParams
  if (input.startsWith('?') || /(^|&)(code|error|state)=/.test(input))
    return new URLSearchParams(input.replace(/^\?/, ''))
  return undefined
}

/** An HTTP request to a token endpoint, ready for `fetch`. */
export interface TokenRequest {
  url: string
  headers: Record<string, string>
  body: string
}

/** Authorization code → tokens: form-encoded, as OpenAI's server and RFC 6749 §4.1.3 expect. */
export function buildCodeExchangeRequest(options: {
  tokenUrl: string
  clientId: string
  code: string
  redirectUri: string
  verifier: string
}): TokenRequest {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: options.code,
    redirect_uri: options.redirectUri,
    client_id: options.clientId,
    code_verifier: options.verifier,
  })
  return {
    url: options.tokenUrl,
    headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'},
    body: body.toString(),
  }
}

/** Refresh token → new tokens: a JSON body, exactly as Codex CLI sends it to OpenAI's server. */
export function buildRefreshRequest(options: {
  tokenUrl: string
  clientId: string
  refreshToken: string
  scope?: string
}): TokenRequest {
  const body = {
    client_id: options.clientId,
    grant_type: 'refresh_token',
    refresh_token: options.refreshToken,
    scope: options.scope ?? CHATGPT_OAUTH.refreshScope,
  }
  return {
    url: options.tokenUrl,
    headers: {'content-type': 'application/json', accept: 'application/json'},
    body: JSON.stringify(body),
  }
}

/**
 * Checks a token endpoint's answer. Errors carry the server's error code and description (never a token); a 400/401
 * with `invalid_grant` means the refresh token is no longer valid and the user must sign in again.
 */
export function parseTokenResponse(status: number, text: string): TokenResponse {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  if (status >= 200 && status < 300) {
    const parsed = TokenResponseSchema.safeParse(json)
    if (parsed.success) return parsed.data
    throw new RouterError(
      'oauth_bad_response',
      `The token endpoint answered ${status} without a usable access token.`,
      {
        hint: 'Check --token-url; it must be the OAuth token endpoint.',
      },
    )
  }
  const failure = TokenErrorResponseSchema.safeParse(json)
  const code = failure.success
    ? typeof failure.data.error === 'string'
      ? failure.data.error
      : (failure.data.error.code ?? 'error')
    : undefined
  const description = failure.success
    ? (failure.data.error_description ??
      (typeof failure.data.error === 'string' ? undefined : failure.data.error.message))
    : undefined
  const detail = [code, description].filter(Boolean).join(': ')
  const expired = code === 'invalid_grant' || code === 'refresh_token_expired' || code === 'refresh_token_reused'
  throw new RouterError(
    expired ? 'oauth_reauth_required' : 'oauth_token_failed',
    `The token endpoint answered ${status}${detail ? ` (${detail})` : ''}.`,
    {
      hint: expired
        ? 'Sign in again: router provider login openai --kind chatgpt'
        : 'Try again later; if it keeps failing, sign in again.',
    },
  )
}

/** OAuth tokens as a sign-in or a refresh leaves them, with what a later refresh needs. */
export interface OAuthTokens {
  accessToken: string
  refreshToken?: string
  idToken?: string
  /** Expiry of the access token, epoch ms. */
  expiresAt: number
  /** ChatGPT account id (`chatgpt-account-id` header). */
  accountId?: string
  tokenUrl: string
  clientId: string
}

/** The credentials file entry that stores `tokens` (its times are stamped where it is written). */
export function oauthCredentialEntry(
  tokens: OAuthTokens,
  provider: string | undefined,
): Omit<OAuthCredential, 'created_at' | 'updated_at'> {
  return {
    kind: 'oauth',
    ...(provider === undefined ? {} : {provider}),
    access_token: tokens.accessToken,
    ...(tokens.refreshToken ? {refresh_token: tokens.refreshToken} : {}),
    expires_at: tokens.expiresAt,
    ...(tokens.accountId ? {account_id: tokens.accountId} : {}),
    token_url: tokens.tokenUrl,
    client_id: tokens.clientId,
    ...(tokens.idToken ? {id_token: tokens.idToken} : {}),
  }
}

/** Expiry (epoch ms) of freshly issued tokens: `expires_in`, else the access token's `exp`, else one hour. */
export function tokenExpiry(tokens: Pick<TokenResponse, 'access_token' | 'expires_in'>, now: number): number {
  if (tokens.expires_in !== undefined) return now + Math.round(tokens.expires_in * 1000)
  const exp = jwtClaims(tokens.access_token)?.exp
  if (typeof exp === 'number') return exp * 1000
  return now + 60 * 60_000
}

/** The payload of a JWT, without verifying it (we only read our own tokens' metadata); `undefined` if not a JWT. */
export function jwtClaims(token: string | undefined): Record<string, unknown> | undefined {
  if (!token) return undefined
  try {
    return decodeJwt(token)
  } catch {
    return undefined
  }
}

/** The ChatGPT account id: claim `https://api.openai.com/auth` → `chatgpt_account_id` of the first token that has it. */
export function chatGptAccountId(...tokens: Array<string | undefined>): string | undefined {
  for (const token of tokens) {
    const auth = jwtClaims(token)?.[OPENAI_AUTH_CLAIM]
    if (auth && typeof auth === 'object') {
      const id = (auth as Record<string, unknown>).chatgpt_account_id
      if (typeof id === 'string' && id) return id
    }
  }
  return undefined
}

/** The signed-in user's e-mail (id token `email` claim), for a friendlier confirmation. */
export function tokenEmail(idToken: string | undefined): string | undefined {
  const email = jwtClaims(idToken)?.email
  return typeof email === 'string' ? email : undefined
}
