import {promises as fs} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {AccountSchema, type Account} from '../../src/core/config/schema.js'
import {CredentialsStore} from '../../src/core/credentials/store.js'
import {createCredentialResolver, type CredentialEvent} from '../../src/gateway/credentials.js'
import {
  FAKE_ACCOUNT_ID,
  fakeAccessToken,
  startFakeOAuthServer,
  type FakeOAuthServer,
} from '../helpers/fake-oauth-server.js'

let dir: string
let storePath: string
let oauthServer: FakeOAuthServer
let events: CredentialEvent[]

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'olr-cred-'))
  storePath = path.join(dir, 'credentials.json')
  oauthServer = await startFakeOAuthServer()
  events = []
})
afterEach(async () => {
  await oauthServer.close()
  await fs.rm(dir, {recursive: true, force: true})
})

const account = (fields: Record<string, unknown>): Account =>
  AccountSchema.parse({name: 'acct', provider: 'openai', base_url: 'https://api.openai.com/v1', ...fields})

const resolver = (env: NodeJS.ProcessEnv = {}) =>
  createCredentialResolver({env, storePath, onEvent: (event) => events.push(event), storeRecheckMs: 0})

async function storeOAuth(ref: string, expiresAt: number, extra: Record<string, unknown> = {}) {
  await new CredentialsStore({path: storePath}).set(ref, {
    kind: 'oauth',
    access_token: fakeAccessToken('stored', expiresAt),
    refresh_token: 'refresh-0',
    expires_at: expiresAt,
    token_url: oauthServer.tokenUrl,
    client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
    ...extra,
  })
}

const codex = (fields: Record<string, unknown> = {}) =>
  account({
    name: 'chatgpt',
    provider: 'openai-codex',
    base_url: 'https://chatgpt.com/backend-api',
    auth_mode: 'oauth',
    ...fields,
  })

describe('api keys', () => {
  it('prefers the api_key_env variable, then the inline key, then the credentials file', async () => {
    await new CredentialsStore({path: storePath}).set('acct', {kind: 'api_key', api_key: 'from-store'})
    const r = resolver({MY_KEY: 'from-env'})
    expect(await r.resolve(account({api_key_env: 'MY_KEY', api_key: 'inline'}))).toEqual({token: 'from-env'})
    expect(await r.resolve(account({api_key_env: 'UNSET_KEY', api_key: 'inline'}))).toEqual({token: 'inline'})
    expect(await r.resolve(account({api_key_env: 'UNSET_KEY'}))).toEqual({token: 'from-store'})
    expect(events).toEqual([])
  })

  it('sees a rotated api_key_env value within the recheck interval, not on every request', async () => {
    const env: NodeJS.ProcessEnv = {MY_KEY: 'key-1'}
    let clock = 1_000_000
    const r = createCredentialResolver({env, storePath, storeRecheckMs: 1000, now: () => clock})
    expect(await r.resolve(account({api_key_env: 'MY_KEY'}))).toEqual({token: 'key-1'})
    env.MY_KEY = 'key-2'
    clock += 999
    expect(await r.resolve(account({api_key_env: 'MY_KEY'}))).toEqual({token: 'key-1'})
    clock += 1
    expect(await r.resolve(account({api_key_env: 'MY_KEY'}))).toEqual({token: 'key-2'})
    delete env.MY_KEY
    clock += 1000
    expect(await r.resolve(account({api_key_env: 'MY_KEY', api_key: 'inline'}))).toEqual({token: 'inline'})
  })

  it('finds the stored key under credential_ref when the account names one', async () => {
    await new CredentialsStore({path: storePath}).set('shared-key', {kind: 'api_key', api_key: 'shared'})
    expect(await resolver().resolve(account({credential_ref: 'shared-key'}))).toEqual({token: 'shared'})
  })

  it('needs no key for ollama and answers {token: null} without an event', async () => {
    const ollama = account({name: 'local', provider: 'ollama', base_url: 'http://localhost:11434'})
    expect(await resolver().resolve(ollama)).toEqual({token: null})
    expect(events).toEqual([])
  })

  it('returns null with a missing event that names the unset variable when a key is required', async () => {
    expect(await resolver().resolve(account({api_key_env: 'OPENAI_API_KEY'}))).toBeNull()
    expect(events).toEqual([
      {
        account: 'acct',
        kind: 'missing',
        message:
          'account acct has no API key: environment variable OPENAI_API_KEY is not set and the credentials file has no entry "acct"',
      },
    ])
  })

  it('sees a key stored after the resolver started (another process ran provider login)', async () => {
    const r = resolver()
    expect(await r.resolve(account({}))).toBeNull()
    await new CredentialsStore({path: storePath}).set('acct', {kind: 'api_key', api_key: 'late'})
    expect(await r.resolve(account({}))).toEqual({token: 'late'})
  })

  it('skips the account with a message naming the file when the credentials file is corrupt', async () => {
    await fs.writeFile(storePath, '{not json', {mode: 0o600})
    expect(await resolver().resolve(account({}))).toBeNull()
    expect(events[0].message).toContain(`The credentials file ${storePath} is not valid JSON.`)
  })
})

describe('passthrough', () => {
  it("forwards the client's bearer token", async () => {
    const r = resolver()
    expect(await r.resolve(account({auth_mode: 'passthrough'}), 'Bearer client-token')).toEqual({token: 'client-token'})
    expect(await r.resolve(account({auth_mode: 'passthrough'}), 'bearer   spaced ')).toEqual({token: 'spaced'})
  })

  it('returns null with a missing event when the client sent no bearer token', async () => {
    expect(await resolver().resolve(account({auth_mode: 'passthrough'}), 'Basic abc')).toBeNull()
    expect(events.map((e) => e.kind)).toEqual(['missing'])
  })
})

describe('oauth', () => {
  it('uses a stored token that is far from expiry, with the account id from its claim, without refreshing', async () => {
    await storeOAuth('chatgpt', Date.now() + 3600_000)
    const credential = await resolver().resolve(codex())
    expect(credential?.accountId).toBe(FAKE_ACCOUNT_ID)
    expect(credential?.token).toMatch(/^ey/)
    expect(oauthServer.tokenRequests).toHaveLength(0)
  })

  it('prefers the stored account_id and an explicit oauth_account_id over the claim', async () => {
    await storeOAuth('chatgpt', Date.now() + 3600_000, {account_id: 'stored-id'})
    expect((await resolver().resolve(codex()))?.accountId).toBe('stored-id')
    expect((await resolver().resolve(codex({oauth_account_id: 'explicit'})))?.accountId).toBe('explicit')
  })

  it('refreshes a token that expires within five minutes and saves the rotated tokens', async () => {
    await storeOAuth('chatgpt', Date.now() + 60_000)
    const credential = await resolver().resolve(codex())
    expect(oauthServer.tokenRequests).toHaveLength(1)
    expect(oauthServer.tokenRequests[0]).toEqual({
      contentType: 'application/json',
      body: {
        client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
        grant_type: 'refresh_token',
        refresh_token: 'refresh-0',
        scope: 'openid profile email',
      },
    })
    const saved = await new CredentialsStore({path: storePath}).get('chatgpt')
    expect(saved).toMatchObject({kind: 'oauth', refresh_token: 'refresh-rotated-1', access_token: credential?.token})
    expect(saved?.kind === 'oauth' && saved.expires_at).toBeGreaterThan(Date.now() + 3000_000)
    expect(credential?.accountId).toBe(FAKE_ACCOUNT_ID)
    expect(events.map((e) => e.kind)).toEqual(['refreshed'])
    expect(events[0].message).not.toContain(credential!.token!)
    expect((await fs.stat(storePath)).mode & 0o777).toBe(0o600)
  })

  it('sends exactly one refresh request for ten concurrent requests', async () => {
    await storeOAuth('chatgpt', Date.now() - 1000)
    oauthServer.tokenDelayMs = 100
    const r = resolver()
    const credentials = await Promise.all(Array.from({length: 10}, () => r.resolve(codex())))
    expect(oauthServer.tokenRequests).toHaveLength(1)
    expect(new Set(credentials.map((c) => c?.token)).size).toBe(1)
    expect(credentials[0]?.token).not.toBeNull()
    // Afterwards the refreshed token is served from memory.
    await r.resolve(codex())
    expect(oauthServer.tokenRequests).toHaveLength(1)
  })

  it('uses tokens another process already refreshed instead of spending the refresh token again', async () => {
    await storeOAuth('chatgpt', Date.now() + 60_000)
    const r = resolver()
    // Another gateway refreshed meanwhile and rotated the refresh token.
    await storeOAuth('chatgpt', Date.now() + 3600_000, {refresh_token: 'rotated-elsewhere'})
    expect(await r.resolve(codex())).not.toBeNull()
    expect(oauthServer.tokenRequests).toHaveLength(0)
  })

  it('returns null with a refresh_failed event when an expired token cannot be refreshed, and backs off', async () => {
    await storeOAuth('chatgpt', Date.now() - 1000)
    oauthServer.refreshAnswer = {status: 400, error: 'invalid_grant'}
    const r = resolver()
    expect(await r.resolve(codex())).toBeNull()
    expect(events).toEqual([
      {
        account: 'chatgpt',
        kind: 'refresh_failed',
        message:
          'the access token expired and refresh failed: The token endpoint answered 400 (invalid_grant: refresh refused).',
      },
    ])
    // A second request within the back-off does not hit the token endpoint again.
    expect(await r.resolve(codex())).toBeNull()
    expect(oauthServer.tokenRequests).toHaveLength(1)
    // The stored tokens are left as they were.
    expect(await new CredentialsStore({path: storePath}).get('chatgpt')).toMatchObject({refresh_token: 'refresh-0'})
  })

  it('keeps using a still-valid token when its early refresh fails', async () => {
    await storeOAuth('chatgpt', Date.now() + 120_000)
    oauthServer.refreshAnswer = {status: 503, error: 'temporarily_unavailable'}
    const credential = await resolver().resolve(codex())
    expect(credential?.token).toMatch(/^ey/)
    expect(events.map((e) => e.kind)).toEqual(['refresh_failed'])
    expect(events[0].message).toMatch(/using the current token, valid for \d+ s more/)
  })

  it('reports an unreachable token endpoint', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const {port} = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    await storeOAuth('chatgpt', Date.now() - 1000, {token_url: `http://127.0.0.1:${port}/oauth/token`})
    expect(await resolver().resolve(codex())).toBeNull()
    expect(events[0].message).toBe(
      `the access token expired and refresh failed: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`,
    )
  })

  it('takes tokens from the account fields and their environment variables, refreshing into the credentials file', async () => {
    const env = {CODEX_ACCESS: fakeAccessToken('env', Date.now() + 10_000), CODEX_REFRESH: 'refresh-env'}
    const credential = await resolver(env).resolve(
      codex({
        oauth_access_token_env: 'CODEX_ACCESS',
        oauth_refresh_token_env: 'CODEX_REFRESH',
        oauth_token_url: oauthServer.tokenUrl,
      }),
    )
    expect(oauthServer.tokenRequests[0].body.refresh_token).toBe('refresh-env')
    expect(credential?.token).not.toBe(env.CODEX_ACCESS)
    expect(await new CredentialsStore({path: storePath}).get('chatgpt')).toMatchObject({
      kind: 'oauth',
      refresh_token: 'refresh-rotated-1',
    })
  })

  it('returns null with a missing event that says how to sign in when there are no tokens', async () => {
    expect(await resolver().resolve(codex())).toBeNull()
    expect(events[0]).toEqual({
      account: 'chatgpt',
      kind: 'missing',
      message:
        'account chatgpt has no OAuth tokens: sign in with `router provider login openai --kind chatgpt --name chatgpt`',
    })
  })
})
