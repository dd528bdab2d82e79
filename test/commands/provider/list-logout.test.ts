import {promises as fs} from 'node:fs'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {CredentialsStore} from '../../../src/core/credentials/store.js'
import {makeTempHome, runRouter, type TempHome} from '../../helpers/provider-cli.js'

const PROFILE = `# accounts of the team
schema_version: 1
profile:
  default: auto
accounts:
  - name: openai
    provider: openai
    api_key_env: OPENAI_API_KEY
  - name: gem
    provider: gemini
    api_key_env: GEMINI_API_KEY
    models: [gemini/gemini-2.5-pro]
  # Claude's key lives in the credentials file
  - name: claude
    provider: anthropic
    models:
      - anthropic/claude-sonnet-4.5   # the workhorse
  - name: legacy
    provider: openrouter
    api_key: sk-or-inline-secret
    enabled: false
  - name: chatgpt
    provider: openai-codex
    auth_mode: oauth
  - name: local
    provider: ollama
  - name: nokey
    provider: nvidia
# end of accounts
`
const SECRETS = [
  'sk-or-inline-secret',
  'sk-ant-stored-secret',
  'access-token-secret',
  'refresh-token-secret',
  'sk-openai-env-secret',
  'orphan-secret',
]

let home: TempHome
let profile: string
let env: NodeJS.ProcessEnv

beforeEach(async () => {
  home = await makeTempHome()
  profile = path.join(home.dir, 'router.profile.yaml')
  await fs.writeFile(profile, PROFILE)
  const store = new CredentialsStore({path: home.credentialsPath})
  await store.set('claude', {kind: 'api_key', api_key: 'sk-ant-stored-secret', provider: 'anthropic'})
  await store.set('chatgpt', {
    kind: 'oauth',
    access_token: 'access-token-secret',
    refresh_token: 'refresh-token-secret',
    expires_at: Date.now() + 3 * 24 * 3600_000,
    token_url: 'https://auth.openai.com/oauth/token',
    client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
  })
  await store.set('old', {kind: 'api_key', api_key: 'orphan-secret'})
  env = {...home.env, OPENAI_API_KEY: 'sk-openai-env-secret'}
})
afterEach(async () => {
  await home.cleanup()
})

const router = (args: string[]) => runRouter(args, {cwd: home.dir, env})
const noSecrets = (text: string) => {
  for (const secret of SECRETS) expect(text).not.toContain(secret)
}

describe('router provider list', () => {
  it('shows every account and where its secret lives, never the secret', async () => {
    const result = await router(['provider', 'list'])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.split('\n').map((line) => line.replace(/\s+/g, ' ').trim())
    expect(lines).toEqual(
      expect.arrayContaining([
        'NAME PROVIDER AUTH ENABLED MODELS SECRET',
        'openai openai api_key yes any env:OPENAI_API_KEY (set)',
        'gem gemini api_key yes 1 env:GEMINI_API_KEY (not set)',
        'claude anthropic api_key yes 1 credentials file',
        'legacy openrouter api_key no any inline in profile (consider moving it: `router provider login --apikey`)',
        'chatgpt openai-codex oauth yes any oauth, credentials file (expires in 3d)',
        'local ollama api_key yes any none needed',
        'nokey nvidia api_key yes any missing: run `router provider login nvidia --name nokey`',
        `credentials file: ${home.credentialsPath}`,
        'unused entries in the credentials file: old (remove with `router provider logout NAME`)',
      ]),
    )
    noSecrets(result.stdout + result.stderr)
  })

  it('prints the documented JSON', async () => {
    const result = await router(['provider', 'list', '--json'])
    expect(result.code).toBe(0)
    const list = JSON.parse(result.stdout)
    expect(list.profile).toBe('router.profile.yaml')
    expect(list.credentials_file).toBe(home.credentialsPath)
    expect(list.unused_credentials).toEqual(['old'])
    const byName = Object.fromEntries(list.accounts.map((account: {name: string}) => [account.name, account]))
    expect(byName.openai).toEqual({
      name: 'openai',
      provider: 'openai',
      auth_mode: 'api_key',
      enabled: true,
      base_url: null,
      models: [],
      secret: {location: 'env', env_var: 'OPENAI_API_KEY', env_set: true, summary: 'env:OPENAI_API_KEY (set)'},
    })
    expect(byName.claude.secret.location).toBe('credentials-file')
    expect(byName.legacy.secret.location).toBe('inline')
    expect(byName.chatgpt.secret).toMatchObject({location: 'credentials-file', refreshable: true})
    expect(Date.parse(byName.chatgpt.secret.expires_at)).toBeGreaterThan(Date.now())
    expect(byName.local.secret.location).toBe('none')
    expect(byName.nokey.secret.location).toBe('missing')
    noSecrets(result.stdout + result.stderr)
  })

  it('says how to start when the profile does not exist', async () => {
    await fs.rm(profile)
    const result = await router(['provider', 'list'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Error: router.profile.yaml does not exist, so there are no accounts to list.')
    expect(result.stderr).toContain('Fix: add one with `router provider login`')
  })
})

describe('router provider logout', () => {
  it('removes the account and its stored key, keeping every other line of the profile', async () => {
    const result = await router(['provider', 'logout', 'claude'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe(
      `Removed account \`claude\` (anthropic) from router.profile.yaml.\nDeleted its stored secret from ${home.credentialsPath}.\n`,
    )
    const expected = PROFILE.replace(
      '  - name: claude\n    provider: anthropic\n    models:\n      - anthropic/claude-sonnet-4.5   # the workhorse\n',
      '',
    )
    expect(await fs.readFile(profile, 'utf8')).toBe(expected)
    const entries = (await new CredentialsStore({path: home.credentialsPath}).read()).entries
    expect(Object.keys(entries).sort()).toEqual(['chatgpt', 'old'])
    noSecrets(result.stdout + result.stderr)
  })

  it('keeps the stored secret with --keep-credentials and reports JSON', async () => {
    const result = await router(['provider', 'logout', 'chatgpt', '--keep-credentials', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      account: 'chatgpt',
      provider: 'openai-codex',
      profile: 'router.profile.yaml',
      removed_from_profile: true,
      credentials_removed: null,
      credentials_kept_reason: '--keep-credentials',
    })
    expect((await new CredentialsStore({path: home.credentialsPath}).get('chatgpt'))?.kind).toBe('oauth')
    expect(await fs.readFile(profile, 'utf8')).not.toContain('name: chatgpt')
  })

  it('cleans up a secret whose account was deleted by hand', async () => {
    const result = await router(['provider', 'logout', 'old', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({removed_from_profile: false, credentials_removed: 'old'})
    expect(await fs.readFile(profile, 'utf8')).toBe(PROFILE)
  })

  it('suggests the closest account for an unknown name, with exit code 2', async () => {
    const human = await router(['provider', 'logout', 'cluade'])
    expect(human.code).toBe(2)
    expect(human.stderr).toContain('Error: router.profile.yaml has no account named `cluade`; did you mean `claude`?')
    const json = await router(['provider', 'logout', 'cluade', '--json'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error).toMatchObject({code: 'account_not_found'})
    expect(await fs.readFile(profile, 'utf8')).toBe(PROFILE)
  }, 60_000)
})
