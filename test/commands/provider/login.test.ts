import {promises as fs} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'

import {parse} from 'yaml'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {makeTempHome, runRouter, type TempHome} from '../../helpers/provider-cli.js'

let home: TempHome
let profile: string

beforeEach(async () => {
  home = await makeTempHome()
  profile = path.join(home.dir, 'router.profile.yaml')
})
afterEach(async () => {
  await home.cleanup()
})

const login = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runRouter(['provider', 'login', ...args], {cwd: home.dir, env: {...home.env, ...env}})
const readProfile = async () => parse(await fs.readFile(profile, 'utf8')) as {accounts: Array<Record<string, unknown>>}
const readCredentials = async () =>
  JSON.parse(await fs.readFile(home.credentialsPath, 'utf8')) as {entries: Record<string, Record<string, unknown>>}

/** A port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A models endpoint that accepts one key (bearer, or Anthropic's x-api-key). */
let modelsServer: Server
let modelsBase: string
beforeAll(async () => {
  modelsServer = createServer((req, res) => {
    const ok =
      req.headers.authorization === 'Bearer good-key' ||
      (req.headers['x-api-key'] === 'good-key' && req.headers['anthropic-version'])
    if (req.url !== '/v1/models') return void res.writeHead(404).end()
    if (!ok) return void res.writeHead(401, {'content-type': 'application/json'}).end('{"error":{"message":"bad key"}}')
    res
      .writeHead(200, {'content-type': 'application/json'})
      .end(JSON.stringify({object: 'list', data: [{id: 'm1'}, {id: 'm2'}, {id: 'm3'}]}))
  })
  await new Promise<void>((resolve) => modelsServer.listen(0, '127.0.0.1', resolve))
  modelsBase = `http://127.0.0.1:${(modelsServer.address() as AddressInfo).port}/v1`
})
afterAll(async () => {
  modelsServer.closeAllConnections()
  await new Promise((resolve) => modelsServer.close(resolve))
})

describe('router provider login (scripted, no terminal)', () => {
  it('saves an inline key to the credentials file (mode 600), never to the profile or the output', async () => {
    const result = await login(['openai', '--apikey', 'sk-inline-secret-1'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Added account `openai` (openai) in router.profile.yaml (new file).')
    expect(result.stdout).toContain(`secret: the credentials file ${home.credentialsPath}`)
    const text = await fs.readFile(profile, 'utf8')
    expect(text).not.toContain('sk-inline-secret-1')
    expect(text).toContain('# Open-LLM Router profile')
    expect((await readProfile()).accounts).toEqual([{name: 'openai', provider: 'openai'}])
    expect((await readCredentials()).entries.openai).toMatchObject({
      kind: 'api_key',
      api_key: 'sk-inline-secret-1',
      provider: 'openai',
    })
    expect((await fs.stat(home.credentialsPath)).mode & 0o777).toBe(0o600)
    expect((await fs.stat(path.dirname(home.credentialsPath))).mode & 0o777).toBe(0o700)
    expect(result.stdout + result.stderr).not.toContain('sk-inline-secret-1')
  })

  it('keeps only the variable name for --apikey-env and prints the stable JSON', async () => {
    const result = await login(['anthropic', '--api-key-env', 'MY_ANTHROPIC_KEY', '--models', 'sonnet', '--json'], {
      MY_ANTHROPIC_KEY: 'sk-ant-hidden',
    })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      account: 'anthropic',
      provider: 'anthropic',
      profile: 'router.profile.yaml',
      auth_mode: 'api_key',
      secret_location: 'env:MY_ANTHROPIC_KEY',
      models: ['anthropic/claude-sonnet-4.5'],
      verified: false,
      action: 'added',
      profile_created: true,
      credentials_file: null,
      verified_models: null,
      warnings: [],
    })
    expect((await readProfile()).accounts).toEqual([
      {
        name: 'anthropic',
        provider: 'anthropic',
        api_key_env: 'MY_ANTHROPIC_KEY',
        models: ['anthropic/claude-sonnet-4.5'],
      },
    ])
    await expect(fs.access(home.credentialsPath)).rejects.toThrow()
    expect(result.stdout + result.stderr).not.toContain('sk-ant-hidden')
  })

  it('logs in every API-key provider into one profile that then validates', async () => {
    const steps: string[][] = [
      ['openai', '--apikey-env', 'OPENAI_API_KEY', '--models', 'gpt-5.2,gpt-5-mini'],
      ['gemini', '--apikey-env', 'GEMINI_API_KEY', '--models', 'gemini-2.5-pro', '--models', 'gemini-2.5-flash'],
      ['anthropic', '--apikey', 'sk-ant-x'],
      ['openrouter', '--apikey-env', 'OPENROUTER_API_KEY'],
      ['nvidia', '--apikey-env', 'NVIDIA_API_KEY', '--models', 'meta/llama-3.3-70b-instruct'],
      ['github', '--apikey-env', 'GITHUB_TOKEN'],
      ['ollama', '--base-url', 'http://localhost:11434'],
      ['openai-compatible', '--name', 'vllm', '--base-url', 'http://gpu-box:8000/v1/', '--apikey', 'local-key'],
    ]
    for (const step of steps) {
      const result = await login(step)
      expect(result.code, `${step.join(' ')}\n${result.stderr}`).toBe(0)
    }
    const {accounts} = await readProfile()
    expect(accounts).toEqual([
      {
        name: 'openai',
        provider: 'openai',
        api_key_env: 'OPENAI_API_KEY',
        models: ['openai/gpt-5.2', 'openai/gpt-5-mini'],
      },
      {
        name: 'gemini',
        provider: 'gemini',
        api_key_env: 'GEMINI_API_KEY',
        models: ['gemini/gemini-2.5-pro', 'gemini/gemini-2.5-flash'],
      },
      {name: 'anthropic', provider: 'anthropic'},
      {name: 'openrouter', provider: 'openrouter', api_key_env: 'OPENROUTER_API_KEY'},
      {
        name: 'nvidia',
        provider: 'nvidia',
        api_key_env: 'NVIDIA_API_KEY',
        models: ['nvidia/meta/llama-3.3-70b-instruct'],
      },
      {name: 'github', provider: 'github', api_key_env: 'GITHUB_TOKEN'},
      {name: 'ollama', provider: 'ollama', base_url: 'http://localhost:11434'},
      {name: 'vllm', provider: 'openai-compatible', base_url: 'http://gpu-box:8000/v1'},
    ])
    expect(Object.keys((await readCredentials()).entries).sort()).toEqual(['anthropic', 'vllm'])
    const validate = await runRouter(['profile', 'validate', '--config', profile, '--json'], {
      cwd: home.dir,
      env: home.env,
    })
    expect(validate.code, validate.stdout + validate.stderr).toBe(0)
    expect(JSON.parse(validate.stdout)).toMatchObject({ok: true, kind: 'profile'})
  }, 60_000)

  it('updates an account in place on a re-run, keeping comments and order byte for byte outside it', async () => {
    const original = `# Team profile — hand-written
schema_version: 1
profile:
  default: balanced   # cheaper than auto

accounts:
  # the team's OpenAI key
  - name: openai
    provider: openai
    api_key_env: OPENAI_API_KEY
  - name: local
    provider: ollama   # on the build box

# guardrails keep the bill down
guardrails:
  max_cost_output_per_1k: 0.02
`
    await fs.writeFile(profile, original)
    const first = await login(['openai', '--apikey-env', 'TEAM_OPENAI_KEY', '--models', 'gpt-5-mini'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('Updated account `openai`')
    const edited = await fs.readFile(profile, 'utf8')
    expect(edited).toBe(
      original.replace(
        '    api_key_env: OPENAI_API_KEY\n',
        '    api_key_env: TEAM_OPENAI_KEY\n    models:\n      - openai/gpt-5-mini\n',
      ),
    )
    // The same login again changes nothing.
    expect((await login(['openai', '--apikey-env', 'TEAM_OPENAI_KEY', '--models', 'gpt-5-mini'])).code).toBe(0)
    expect(await fs.readFile(profile, 'utf8')).toBe(edited)
    // A scripted re-run without key flags keeps the key it has and only changes what it is told.
    const modelsOnly = await login(['openai', '--models', 'gpt-5.2', '--json'])
    expect(modelsOnly.code, modelsOnly.stderr).toBe(0)
    expect(JSON.parse(modelsOnly.stdout)).toMatchObject({
      secret_location: 'env:TEAM_OPENAI_KEY',
      models: ['openai/gpt-5.2'],
      action: 'updated',
    })
  }, 60_000)

  it('loses no account when two logins edit the same profile at once', async () => {
    await fs.writeFile(profile, 'profile:\n  default: auto\naccounts: []\n')
    const results = await Promise.all([
      login(['openai', '--apikey', 'sk-one']),
      login(['gemini', '--apikey', 'AIza-two']),
      login(['anthropic', '--apikey-env', 'ANTHROPIC_API_KEY']),
    ])
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    expect((await readProfile()).accounts.map((account) => account.name).sort()).toEqual([
      'anthropic',
      'gemini',
      'openai',
    ])
    expect(Object.keys((await readCredentials()).entries).sort()).toEqual(['gemini', 'openai'])
  }, 60_000)

  it('moves a key from the credentials file to an environment variable and removes the stored copy', async () => {
    expect((await login(['gemini', '--apikey', 'AIza-old'])).code).toBe(0)
    expect((await readCredentials()).entries.gemini).toBeDefined()
    const result = await login(['gemini', '--apikey-env', 'GEMINI_API_KEY'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('Removed the key stored for `gemini`')
    expect((await readCredentials()).entries.gemini).toBeUndefined()
    expect((await readProfile()).accounts).toEqual([
      {name: 'gemini', provider: 'gemini', api_key_env: 'GEMINI_API_KEY'},
    ])
  }, 60_000)

  it('fails fast with exit 2 naming the missing flag when there is no terminal', async () => {
    const result = await login(['openai'])
    expect(result.timedOut).toBe(false)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Error: Missing --apikey or --apikey-env: OpenAI needs a key.')
    expect(result.stderr).toContain('Fix: pass --apikey-env OPENAI_API_KEY')
    await expect(fs.access(profile)).rejects.toThrow()

    const noProvider = await login(['--json'])
    expect(noProvider.code).toBe(2)
    expect(JSON.parse(noProvider.stdout).error).toMatchObject({
      code: 'usage',
      message: expect.stringContaining('Missing the provider'),
    })
  }, 60_000)

  it('rejects unknown providers and models with suggestions and writes nothing', async () => {
    const provider = await login(['gemni', '--apikey-env', 'X'])
    expect(provider.code).toBe(2)
    expect(provider.stderr).toContain('Unknown provider `gemni`; did you mean `gemini`?')
    const model = await login(['gemini', '--apikey-env', 'X', '--models', 'gemini-2.5-pr'])
    expect(model.code).toBe(2)
    expect(model.stderr).toContain(
      'unknown model `gemini-2.5-pr` for provider `gemini`; did you mean `gemini/gemini-2.5-pro`',
    )
    const kind = await login(['gemini', '--kind', 'chatgpt'])
    expect(kind.code).toBe(2)
    expect(kind.stderr).toContain('--kind chatgpt signs in to ChatGPT; it works with provider openai, not gemini.')
    const mixed = await login(['openai', '--kind', 'chatgpt', '--apikey', 'sk-x'])
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toContain('--apikey and --apikey-env do not apply to a ChatGPT sign-in (--kind chatgpt).')
    await expect(fs.access(profile)).rejects.toThrow()
  }, 60_000)

  it('refuses to add an account to a profile that is already broken, pointing at its line', async () => {
    await fs.writeFile(
      profile,
      'profile:\n  default: auto\naccounts:\n  - name: a\n    provider: ollama\n    colour: blue\n',
    )
    const result = await login(['openai', '--apikey-env', 'OPENAI_API_KEY'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('has problems to fix before an account can be added; nothing was written.')
    expect(result.stderr).toMatch(/router\.profile\.yaml:6:5 accounts\[0\]\.colour/)
  })
})

describe('router provider login --verify', () => {
  it('checks the key against the models endpoint and reports how many models it sees', async () => {
    const result = await login([
      'openai-compatible',
      '--base-url',
      modelsBase,
      '--apikey',
      'good-key',
      '--verify',
      '--json',
    ])
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json).toMatchObject({verified: true, verified_models: 3, secret_location: 'credentials-file'})
    expect(result.stderr).toContain('Verified: OpenAI-compatible server accepted the key and lists 3 models.')
    // The account is written, and the profile says it cannot route anywhere until models are declared.
    expect(json.warnings).toEqual(['the profile cannot serve requests yet: no enabled account serves any model'])
  })

  it("sends Anthropic's own key header", async () => {
    const result = await login(
      ['anthropic', '--base-url', modelsBase, '--apikey-env', 'ANTHROPIC_API_KEY', '--verify'],
      {ANTHROPIC_API_KEY: 'good-key'},
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('verified: yes (3 models visible)')
  })

  it('writes nothing when the key is rejected, and says so without echoing it', async () => {
    const result = await login(['openai-compatible', '--base-url', modelsBase, '--apikey', 'wrong-key-123', '--verify'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `Error: The key was rejected by OpenAI-compatible server (HTTP 401 from ${modelsBase}/models).`,
    )
    expect(result.stderr).toContain('Fix: check the key in --apikey')
    expect(result.stderr).toContain('nothing was written')
    expect(result.stdout + result.stderr).not.toContain('wrong-key-123')
    await expect(fs.access(profile)).rejects.toThrow()
    await expect(fs.access(home.credentialsPath)).rejects.toThrow()
  })

  it('explains an unreachable server', async () => {
    const port = await closedPort()
    const result = await login(['ollama', '--base-url', `http://127.0.0.1:${port}`, '--verify'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `Error: Could not reach Ollama at http://127.0.0.1:${port}/v1/models: ECONNREFUSED.`,
    )
    await expect(fs.access(profile)).rejects.toThrow()
  })
})
