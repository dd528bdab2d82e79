/**
 * A fake OpenAI authorization server on 127.0.0.1: `/oauth/authorize` redirects to the client's redirect URI like the
 * real one does after the user signs in, and `/oauth/token` exchanges codes (form-encoded, PKCE checked) and refresh
 * tokens (JSON, as Codex CLI sends them). Tokens are unsigned JWTs carrying the ChatGPT account claim.
 */
import {createHash} from 'node:crypto'
import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {UnsecuredJWT} from 'jose'

export interface TokenRequestRecord {
  contentType: string | undefined
  body: Record<string, string>
}

export interface FakeOAuthServer {
  url: string
  authorizeUrl: string
  tokenUrl: string
  /** Authorize requests' query parameters. */
  authorizeRequests: Array<Record<string, string>>
  tokenRequests: TokenRequestRecord[]
  /** What the next sign-in does: approve, deny consent, or answer with a wrong state. */
  consent: 'approve' | 'deny' | 'wrong-state'
  /** Answer of refresh requests: `ok`, or an error status with an OAuth error body. */
  refreshAnswer: {status: 200; expiresIn: number} | {status: number; error: string}
  /** Delay before answering token requests (ms), to hold refreshes in flight. */
  tokenDelayMs: number
  close(): Promise<void>
}

export const FAKE_ACCOUNT_ID = 'acct-fake-1234'

/** An access token like OpenAI's: a JWT with `exp` and the auth claim. */
export function fakeAccessToken(label: string, expiresAtMs: number, accountId = FAKE_ACCOUNT_ID): string {
  return new UnsecuredJWT({
    label,
    exp: Math.floor(expiresAtMs / 1000),
    'https://api.openai.com/auth': {chatgpt_account_id: accountId},
  }).encode()
}

export async function startFakeOAuthServer(options: {clientId?: string} = {}): Promise<FakeOAuthServer> {
  const clientId = options.clientId ?? 'app_EMoamEEZ73f0CkXaXp7hrann'
  const challenges = new Map<string, {challenge: string; redirectUri: string}>()
  let counter = 0
  const state: Omit<FakeOAuthServer, 'url' | 'authorizeUrl' | 'tokenUrl' | 'close'> = {
    authorizeRequests: [],
    tokenRequests: [],
    consent: 'approve',
    refreshAnswer: {status: 200, expiresIn: 3600},
    tokenDelayMs: 0,
  }

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
      const params = Object.fromEntries(url.searchParams)
      state.authorizeRequests.push(params)
      if (params.client_id !== clientId || params.code_challenge_method !== 'S256' || !params.code_challenge) {
        res.writeHead(400).end('bad authorize request')
        return
      }
      const target = new URL(params.redirect_uri)
      if (state.consent === 'deny') {
        target.searchParams.set('error', 'access_denied')
        target.searchParams.set('error_description', 'The user denied the request')
        target.searchParams.set('state', params.state)
      } else {
        const code = `code-${++counter}`
        challenges.set(code, {challenge: params.code_challenge, redirectUri: params.redirect_uri})
        target.searchParams.set('code', code)
        target.searchParams.set('state', state.consent === 'wrong-state' ? 'forged-state' : params.state)
      }
      res.writeHead(302, {location: target.toString()}).end()
      return
    }
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      const text = await readBody(req)
      const contentType = req.headers['content-type']
      const body: Record<string, string> = contentType?.includes('json')
        ? JSON.parse(text)
        : Object.fromEntries(new URLSearchParams(text))
      state.tokenRequests.push({contentType, body})
      if (state.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, state.tokenDelayMs))
      const json = (status: number, value: unknown) => {
        res.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(value))
      }
      if (body.client_id !== clientId) return json(401, {error: 'invalid_client'})
      if (body.grant_type === 'authorization_code') {
        const issued = challenges.get(body.code)
        const verifierOk =
          issued &&
          createHash('sha256')
            .update(body.code_verifier ?? '')
            .digest('base64url') === issued.challenge
        if (!issued || !verifierOk || issued.redirectUri !== body.redirect_uri)
          return json(400, {error: 'invalid_grant'})
        challenges.delete(body.code)
        const expiresAt = Date.now() + 3600_000
        return json(200, {
          access_token: fakeAccessToken('access-1', expiresAt),
          refresh_token: 'refresh-1',
          id_token: new UnsecuredJWT({
            email: 'user@example.com',
            'https://api.openai.com/auth': {chatgpt_account_id: FAKE_ACCOUNT_ID},
          }).encode(),
          expires_in: 3600,
          token_type: 'Bearer',
        })
      }
      if (body.grant_type === 'refresh_token') {
        const answer = state.refreshAnswer
        if (answer.status !== 200)
          return json(answer.status, {error: (answer as {error: string}).error, error_description: 'refresh refused'})
        const n = ++counter
        const expiresIn = (answer as {expiresIn: number}).expiresIn
        return json(200, {
          access_token: fakeAccessToken(`access-refreshed-${n}`, Date.now() + expiresIn * 1000),
          refresh_token: `refresh-rotated-${n}`,
          expires_in: expiresIn,
        })
      }
      return json(400, {error: 'unsupported_grant_type'})
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  const base = `http://127.0.0.1:${port}`
  return Object.assign(state, {
    url: base,
    authorizeUrl: `${base}/oauth/authorize`,
    tokenUrl: `${base}/oauth/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
