/**
 * The whole ChatGPT path as a user runs it: `router provider login openai --kind chatgpt` against a fake authorization
 * server writes the profile and the credentials file; a gateway started on that profile refreshes the expiring token
 * and calls a simulated Codex backend with it.
 */
import {promises as fs} from 'node:fs'
import path from 'node:path'

import OpenAI from 'openai'
import {afterEach, beforeEach, expect, it} from 'vitest'

import {CredentialsStore} from '../../../src/core/credentials/store.js'
import {startSim, type SimServer} from '../../../src/sim/index.js'
import {FAKE_ACCOUNT_ID, startFakeOAuthServer, type FakeOAuthServer} from '../../helpers/fake-oauth-server.js'
import {startTestGateway} from '../../helpers/gateway.js'
import {makeTempHome, runRouter, type TempHome} from '../../helpers/provider-cli.js'

let home: TempHome
let oauth: FakeOAuthServer
let codex: SimServer

beforeEach(async () => {
  home = await makeTempHome()
  oauth = await startFakeOAuthServer()
  codex = await startSim({name: 'codex', protocol: 'codex'})
})
afterEach(async () => {
  await codex.close()
  await oauth.close()
  await home.cleanup()
})

it('signs in with the CLI, then the gateway refreshes the stored token and answers from the Codex backend', async () => {
  let visit: Promise<Response> | undefined
  const login = await runRouter(
    [
      'provider',
      'login',
      'openai',
      '--kind',
      'chatgpt',
      '--no-browser',
      '--models',
      'gpt-5.2',
      '--base-url',
      codex.url,
      '--auth-url',
      oauth.authorizeUrl,
      '--token-url',
      oauth.tokenUrl,
      '--redirect-port',
      '0',
    ],
    {
      cwd: home.dir,
      env: home.env,
      onStderr: (all) => {
        const url = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/.exec(all)?.[1]
        if (url && !visit) visit = fetch(url)
      },
    },
  )
  expect(login.code, login.stderr).toBe(0)
  expect((await visit)?.status).toBe(200)

  // Four minutes left: inside the five-minute refresh margin.
  const store = new CredentialsStore({path: home.credentialsPath})
  const signedIn = await store.get('chatgpt')
  if (signedIn?.kind !== 'oauth') throw new Error('no oauth entry')
  await store.set('chatgpt', {...signedIn, expires_at: Date.now() + 4 * 60_000})

  const profile = await fs.readFile(path.join(home.dir, 'router.profile.yaml'), 'utf8')
  const gateway = await startTestGateway(profile, {env: home.env})
  try {
    const client = new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0})
    const completion = await client.chat.completions.create({
      model: 'openai-codex/gpt-5.2',
      messages: [{role: 'user', content: 'hi'}],
    })
    expect(completion.choices[0].message.content).toContain('sim:codex')

    expect(oauth.tokenRequests.map((request) => request.body.grant_type)).toEqual([
      'authorization_code',
      'refresh_token',
    ])
    const refreshed = await store.get('chatgpt')
    if (refreshed?.kind !== 'oauth') throw new Error('no oauth entry')
    expect(refreshed.refresh_token).toMatch(/^refresh-rotated-/)
    expect(refreshed.expires_at).toBeGreaterThan(Date.now() + 30 * 60_000)
    const sent = codex.requests.at(-1)
    expect(sent?.headers.authorization).toBe(`Bearer ${refreshed.access_token}`)
    expect(sent?.headers['chatgpt-account-id']).toBe(FAKE_ACCOUNT_ID)
  } finally {
    await gateway.close()
  }
}, 60_000)
