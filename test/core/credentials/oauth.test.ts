import {createHash} from 'node:crypto'

import {UnsecuredJWT} from 'jose'
import {describe, expect, it} from 'vitest'

import {
  CHATGPT_OAUTH,
  buildAuthorizeUrl,
  buildCodeExchangeRequest,
  buildRefreshRequest,
  chatGptAccountId,
  createPkce,
  createState,
  oauthCredentialEntry,
  parseAuthorizationResponse,
  parseTokenResponse,
  tokenExpiry,
} from '../../../src/core/credentials/oauth.js'
import {OAuthCredentialSchema} from '../../../src/core/credentials/schema.js'
import {RouterError} from '../../../src/core/errors.js'

const jwt = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode()

describe('PKCE and state', () => {
  it('makes an S256 challenge of a 86-character verifier, different every time', () => {
    const a = createPkce()
    const b = createPkce()
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{86}$/)
    expect(a.challenge).toBe(createHash('sha256').update(a.verifier).digest('base64url'))
    expect(a.verifier).not.toBe(b.verifier)
    expect(createState()).not.toBe(createState())
  })
})

describe('buildAuthorizeUrl', () => {
  it('asks for the Codex scopes and flags with the PKCE challenge and state', () => {
    const url = new URL(
      buildAuthorizeUrl({
        authorizeUrl: CHATGPT_OAUTH.authorizeUrl,
        clientId: CHATGPT_OAUTH.clientId,
        redirectUri: 'http://localhost:1455/auth/callback',
        challenge: 'CH',
        state: 'ST',
      }),
    )
    expect(url.origin + url.pathname).toBe('https://auth.openai.com/oauth/authorize')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      redirect_uri: 'http://localhost:1455/auth/callback',
      scope: 'openid profile email offline_access',
      code_challenge: 'CH',
      code_challenge_method: 'S256',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      state: 'ST',
    })
  })
})

describe('parseAuthorizationResponse', () => {
  const code = (input: string) => parseAuthorizationResponse(input, 'good-state').code
  const failure = (input: string) => {
    try {
      parseAuthorizationResponse(input, 'good-state')
    } catch (error) {
      return error as RouterError
    }
    throw new Error('expected an error')
  }

  it('accepts a pasted redirect URL, a query string or a bare code', () => {
    expect(code('http://localhost:1455/auth/callback?code=abc&state=good-state')).toBe('abc')
    expect(code('  ?code=abc&state=good-state\n')).toBe('abc')
    expect(code('code=abc&state=good-state')).toBe('abc')
    expect(code('ac_1234567890')).toBe('ac_1234567890')
  })

  it('rejects a state mismatch, a denied consent and a provider error', () => {
    expect(failure('http://localhost:1455/auth/callback?code=abc&state=other').code).toBe('oauth_state_mismatch')
    const denied = failure('http://localhost:1455/auth/callback?error=access_denied&state=good-state')
    expect(denied.code).toBe('oauth_denied')
    expect(denied.message).toBe('The sign-in was cancelled: consent was not given.')
    expect(failure('?error=server_error&error_description=boom&state=good-state').message).toBe(
      'The authorization server answered "server_error": boom.',
    )
    expect(failure('?state=good-state').code).toBe('oauth_no_code')
  })
})

describe('token requests', () => {
  it('exchanges a code with a form-encoded body', () => {
    const request = buildCodeExchangeRequest({
      tokenUrl: 'http://127.0.0.1:1/oauth/token',
      clientId: 'cid',
      code: 'c o/de',
      redirectUri: 'http://localhost:1455/auth/callback',
      verifier: 'ver',
    })
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'authorization_code',
      code: 'c o/de',
      redirect_uri: 'http://localhost:1455/auth/callback',
      client_id: 'cid',
      code_verifier: 'ver',
    })
  })

  it('refreshes with a JSON body as Codex CLI sends it', () => {
    const request = buildRefreshRequest({
      tokenUrl: 'http://127.0.0.1:1/oauth/token',
      clientId: 'cid',
      refreshToken: 'rt',
    })
    expect(request.headers['content-type']).toBe('application/json')
    expect(JSON.parse(request.body)).toEqual({
      client_id: 'cid',
      grant_type: 'refresh_token',
      refresh_token: 'rt',
      scope: 'openid profile email',
    })
  })

  it('reads a token answer and explains an error answer without echoing tokens', () => {
    expect(
      parseTokenResponse(200, JSON.stringify({access_token: 'at', refresh_token: 'rt', expires_in: 3600})),
    ).toMatchObject({
      access_token: 'at',
      expires_in: 3600,
    })
    const reauth = (() => {
      try {
        parseTokenResponse(400, JSON.stringify({error: 'invalid_grant', error_description: 'Refresh token expired'}))
      } catch (error) {
        return error as RouterError
      }
    })()
    expect(reauth?.code).toBe('oauth_reauth_required')
    expect(reauth?.message).toBe('The token endpoint answered 400 (invalid_grant: Refresh token expired).')
    expect(() => parseTokenResponse(200, '{"token":"x"}')).toThrow('without a usable access token')
    expect(() => parseTokenResponse(502, '<html>bad gateway</html>')).toThrow('The token endpoint answered 502.')
  })

  it('computes the expiry from expires_in, else the access token exp claim', () => {
    const now = 1_700_000_000_000
    expect(tokenExpiry({access_token: 'opaque', expires_in: 60}, now)).toBe(now + 60_000)
    expect(tokenExpiry({access_token: jwt({exp: 1_700_000_500})}, now)).toBe(1_700_000_500_000)
    expect(tokenExpiry({access_token: 'opaque'}, now)).toBe(now + 3_600_000)
  })
})

describe('chatGptAccountId', () => {
  it('reads the account id from the first token that carries the OpenAI auth claim', () => {
    const idToken = jwt({email: 'a@b.c', 'https://api.openai.com/auth': {chatgpt_account_id: 'acct-from-id'}})
    const access = jwt({'https://api.openai.com/auth': {chatgpt_account_id: 'acct-from-access'}})
    expect(chatGptAccountId(idToken, access)).toBe('acct-from-id')
    expect(chatGptAccountId(jwt({sub: 'x'}), access)).toBe('acct-from-access')
    expect(chatGptAccountId('not-a-jwt', undefined)).toBeUndefined()
  })
})

describe('oauthCredentialEntry', () => {
  const stamps = {created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z'}
  const tokens = {
    accessToken: 'at',
    expiresAt: 1_700_000_000_000,
    tokenUrl: CHATGPT_OAUTH.tokenUrl,
    clientId: CHATGPT_OAUTH.clientId,
  }

  it('stores every token a sign-in returned, as the credentials file names them', () => {
    const entry = oauthCredentialEntry({...tokens, refreshToken: 'rt', idToken: 'it', accountId: 'acct-1'}, 'openai')
    expect(entry).toEqual({
      kind: 'oauth',
      provider: 'openai',
      access_token: 'at',
      refresh_token: 'rt',
      id_token: 'it',
      expires_at: 1_700_000_000_000,
      account_id: 'acct-1',
      token_url: CHATGPT_OAUTH.tokenUrl,
      client_id: CHATGPT_OAUTH.clientId,
    })
    expect(OAuthCredentialSchema.safeParse({...entry, ...stamps}).success).toBe(true)
  })

  it('leaves out what a refresh did not return, so the file stays valid', () => {
    const entry = oauthCredentialEntry(tokens, undefined)
    expect(Object.keys(entry).sort()).toEqual(['access_token', 'client_id', 'expires_at', 'kind', 'token_url'])
    expect(OAuthCredentialSchema.safeParse({...entry, ...stamps}).success).toBe(true)
  })
})
