import {promises as fs} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'

import {parse} from 'yaml'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {FAKE_ACCOUNT_ID, startFakeOAuthServer, type FakeOAuthServer} from '../../helpers/fake-oauth-server.js'
import {makeTempHome, runRouter, type CliRun, type TempHome} from '../../helpers/provider-cli.js'

let home: TempHome
let oauth: FakeOAuthServer

beforeEach(async () => {
  home = await makeTempHome()
  oauth = await startFakeOAuthServer()
})
afterEach(async () => {
  await oauth.close()
  await home.cleanup()
})

/** What the test "browser" saw: the authorization server's redirect, then the loopback callback page. */
interface BrowserVisit {
  redirectedTo: string
  status: number
  page: string
}

/** Follows the authorize URL like a browser whose user approves (or not, per the fake server's `consent`). */
async function browse(url: string): Promise<BrowserVisit> {
  const authorize = await fetch(url, {redirect: 'manual'})
  const location = authorize.headers.get('location')
  if (authorize.status !== 302 || !location) throw new Error(`authorize answered ${authorize.status}`)
  const callback = await fetch(location)
  return {redirectedTo: location, status: callback.status, page: await callback.text()}
}

/** Runs a ChatGPT login with --no-browser; the test browser opens the printed URL. */
async function chatgptLogin(extra: string[] = []): Promise<{run: CliRun; visit?: BrowserVisit}> {
  let visit: Promise<BrowserVisit> | undefined
  const run = await runRouter(
    [
      'provider',
      'login',
      'openai',
      '--kind',
      'chatgpt',
      '--no-browser',
      '--auth-url',
      oauth.authorizeUrl,
      '--token-url',
      oauth.tokenUrl,
      '--redirect-port',
      '0',
      ...extra,
    ],
    {
      cwd: home.dir,
      env: home.env,
      onStderr: (all) => {
        const match = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/.exec(all)
        if (match && !visit) visit = browse(match[1])
      },
    },
  )
  return {run, visit: visit ? await visit : undefined}
}

const profilePath = () => path.join(home.dir, 'router.profile.yaml')

describe('router provider login openai --kind chatgpt', () => {
  it('runs the PKCE flow end to end and stores the tokens, not in the profile and not in the output', async () => {
    const {run, visit} = await chatgptLogin(['--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(visit?.status).toBe(200)
    expect(visit?.page).toContain('Open-LLM Router is signed in as user@example.com.')

    const authorize = oauth.authorizeRequests[0]
    expect(authorize).toMatchObject({
      response_type: 'code',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      scope: 'openid profile email offline_access',
      code_challenge_method: 'S256',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
    })
    expect(authorize.redirect_uri).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/)
    expect(authorize.state).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The code exchange is form-encoded and carries the PKCE verifier (the fake server checks it against the challenge).
    expect(oauth.tokenRequests).toHaveLength(1)
    expect(oauth.tokenRequests[0].contentType).toBe('application/x-www-form-urlencoded')
    expect(oauth.tokenRequests[0].body).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: authorize.redirect_uri,
    })

    expect(JSON.parse(run.stdout)).toMatchObject({
      account: 'chatgpt',
      provider: 'openai-codex',
      auth_mode: 'oauth',
      secret_location: 'credentials-file',
      credentials_file: home.credentialsPath,
      email: 'user@example.com',
      verified: false,
    })
    const profile = parse(await fs.readFile(profilePath(), 'utf8'))
    expect(profile.accounts).toEqual([{name: 'chatgpt', provider: 'openai-codex', auth_mode: 'oauth'}])

    const stored = JSON.parse(await fs.readFile(home.credentialsPath, 'utf8')).entries.chatgpt
    expect(stored).toMatchObject({
      kind: 'oauth',
      provider: 'openai-codex',
      refresh_token: 'refresh-1',
      account_id: FAKE_ACCOUNT_ID,
      token_url: oauth.tokenUrl,
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
    })
    expect(stored.expires_at).toBeGreaterThan(Date.now() + 3000_000)
    expect((await fs.stat(home.credentialsPath)).mode & 0o777).toBe(0o600)
    for (const secret of [stored.access_token, stored.refresh_token, stored.id_token]) {
      expect(run.stdout + run.stderr).not.toContain(secret)
      expect(await fs.readFile(profilePath(), 'utf8')).not.toContain(secret)
    }
  })

  it('stops on a state mismatch: error page in the browser, error in the terminal, nothing written', async () => {
    oauth.consent = 'wrong-state'
    const {run, visit} = await chatgptLogin()
    expect(visit?.status).toBe(400)
    expect(visit?.page).toContain('state mismatch')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Error: The sign-in answer does not belong to this login (state mismatch).')
    expect(oauth.tokenRequests).toHaveLength(0)
    await expect(fs.access(profilePath())).rejects.toThrow()
    await expect(fs.access(home.credentialsPath)).rejects.toThrow()
  })

  it('says so clearly when consent is denied', async () => {
    oauth.consent = 'deny'
    const {run, visit} = await chatgptLogin()
    expect(visit?.page).toContain('Sign-in failed')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Error: The sign-in was cancelled: consent was not given.')
    expect(run.stderr).toContain('Fix: Run the command again and approve the request in the browser.')
    await expect(fs.access(profilePath())).rejects.toThrow()
  })

  it('gives up after --timeout when nobody signs in', async () => {
    const run = await runRouter(
      [
        'provider',
        'login',
        'openai',
        '--kind',
        'chatgpt',
        '--auth-url',
        oauth.authorizeUrl,
        '--token-url',
        oauth.tokenUrl,
        '--redirect-port',
        '0',
        '--timeout',
        '1',
      ],
      {cwd: home.dir, env: home.env},
    )
    expect(run.timedOut).toBe(false)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Error: No sign-in was completed within 1 s.')
    await expect(fs.access(profilePath())).rejects.toThrow()
  })

  it('explains a redirect port that is already taken', async () => {
    const busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    const {port} = busy.address() as AddressInfo
    try {
      const run = await runRouter(
        ['provider', 'login', 'openai', '--kind', 'chatgpt', '--redirect-port', String(port)],
        {cwd: home.dir, env: home.env},
      )
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(
        `Error: Port ${port} on 127.0.0.1 is in use, so the sign-in cannot receive its answer.`,
      )
    } finally {
      await new Promise((resolve) => busy.close(resolve))
    }
  })
})
