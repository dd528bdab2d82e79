import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {runCli} from '../helpers/run-cli.js'

const EXAMPLE = resolve('router.profile.example.yaml')
const SEED = resolve('test/fixtures/config/seed-raw.yaml')
const SECRET = 'sk-proj-NEVER-PRINT-ME-9876'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-profile-'))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('router profile compile', () => {
  it('prints the compiled example profile as YAML that loads as a raw config', async () => {
    const result = await runCli(['profile', 'compile', '--path', EXAMPLE, '--stdout'], {
      env: {OPENAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'y'},
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const config = parse(result.stdout) as {
      default_model: string
      accounts: Array<{name: string; base_url: string}>
      retry_statuses: number[]
    }
    expect(config.default_model).toBe('openai/gpt-5-mini')
    expect(config.accounts.map((account) => [account.name, account.base_url])).toEqual([
      ['openai', 'https://api.openai.com/v1'],
      ['claude', 'https://api.anthropic.com/v1'],
      ['local', 'http://localhost:11434'],
    ])
    expect(config.retry_statuses).toEqual([429, 500, 502, 503, 504, 529])
  })

  it('writes --output with mode 0600 and keeps inline keys there, masking them on stdout', async () => {
    const profile = join(dir, 'secret.profile.yaml')
    await writeFile(
      profile,
      `profile: {default: cost}\naccounts:\n  - {name: o, provider: openai, api_key: ${SECRET}}\n`,
    )
    const output = join(dir, 'router.yaml')
    const written = await runCli(['profile', 'compile', '--config', profile, '--output', output])
    expect(written.code).toBe(0)
    expect(written.stdout).toBe('')
    expect(written.stderr).toMatch(/^Wrote .*router\.yaml \(\d+ models, 1 accounts\)/)
    expect((await stat(output)).mode & 0o777).toBe(0o600)
    expect(await readFile(output, 'utf8')).toContain(`api_key: ${SECRET}`)

    const [yamlOut, jsonOut, shown] = await Promise.all([
      runCli(['profile', 'compile', '--config', profile, '--stdout', '--explain']),
      runCli(['profile', 'compile', '--config', profile, '--json']),
      runCli(['profile', 'compile', '--config', profile, '--stdout', '--show-secrets']),
    ])
    for (const result of [yamlOut, jsonOut]) {
      expect(result.code).toBe(0)
      expect(result.stdout + result.stderr).not.toContain(SECRET)
    }
    expect(yamlOut.stdout).toContain('api_key: "***"')
    const json = JSON.parse(jsonOut.stdout)
    expect(json.config.accounts[0].api_key).toBe('***')
    expect(json.steps).toHaveLength(8)
    expect(shown.stdout).toContain(`api_key: ${SECRET}`)
  })

  it('--explain prints each step, and goes to stderr when the YAML goes to stdout', async () => {
    const keys = {env: {OPENAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'y'}}
    const [explain, both] = await Promise.all([
      runCli(['profile', 'compile', '--path', EXAMPLE, '--explain'], keys),
      runCli(['profile', 'compile', '--path', EXAMPLE, '--explain', '--stdout'], keys),
    ])
    expect(explain.code).toBe(0)
    expect(explain.stdout).toContain('1. profile: start from built-in profile `auto`')
    expect(explain.stdout).toContain('2. per_task: 1 task(s) use another profile\n   - coding: routes from `quality`')
    expect(explain.stdout).toContain(
      '3. resolve: 3 account(s); 2 model reference(s) resolved\n   - accounts[1].models[0]: `sonnet` → anthropic/claude-sonnet-4.5',
    )
    expect(explain.stdout).toContain(
      'anthropic/claude-opus-4.5: output cost $0.025/1k > max_cost_output_per_1k $0.02/1k; removed from',
    )
    expect(explain.stdout).toContain(
      '8. raw_overrides: 1 value(s) overridden\n   - retry_statuses set from raw_overrides',
    )
    expect(both.stderr).toContain('1. profile: start from built-in profile `auto`')
    expect(parse(both.stdout)).toHaveProperty('task_routes')
  })

  it('refuses to write the compiled config over the profile itself', async () => {
    const result = await runCli(['profile', 'compile', '--path', EXAMPLE, '--output', EXAMPLE])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('is the file being compiled')
  })
})

describe('router profile validate', () => {
  it('accepts the seed raw config, printing OK, a summary and its warnings', async () => {
    const result = await runCli(['profile', 'validate', '--config', SEED])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      `OK ${SEED}: raw runtime config\n   1 account (1 enabled), 4 models, routes for 5 tasks, 1 fallback, default model openai-codex/gpt-5.2\n`,
    )
    expect(result.stderr).toMatch(/^6 warnings:\n/)
    expect(result.stderr).toContain(
      `${SEED}:19:82 task_routes.thinking.high[0]: warning: no enabled account serves \`openai-codex/gpt-5.3\`; the gateway will skip it`,
    )
  })

  it('finds the file through ROUTING_CONFIG_PATH, and --strict makes warnings fatal', async () => {
    const viaEnv = await runCli(['profile', 'validate', '--json'], {env: {ROUTING_CONFIG_PATH: SEED}})
    expect(viaEnv.code).toBe(0)
    const json = JSON.parse(viaEnv.stdout)
    expect(json).toMatchObject({
      ok: true,
      kind: 'raw',
      profile: null,
      path: SEED,
      summary: {accounts: 1, models: 4, default_model: 'openai-codex/gpt-5.2'},
    })
    expect(json.warnings).toHaveLength(6)

    const strict = await runCli(['profile', 'validate', '--config', SEED, '--strict'])
    expect(strict.code).toBe(2)
    expect(strict.stderr).toMatch(/^Error: .*seed-raw\.yaml: 6 warnings treated as errors \(--strict\)\n/)
  })

  it('reports a YAML syntax error with file, line and column, exit code 2', async () => {
    const file = join(dir, 'syntax.yaml')
    await writeFile(file, `accounts:\n  - name: a\n    api_key: "${SECRET}\n    provider: openai\n`)
    const result = await runCli(['profile', 'validate', '--path', file])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      new RegExp(
        `^Error: ${escape(file)} is not valid YAML\\n  ${escape(file)}:\\d+:\\d+: YAML syntax error: Missing closing "quote`,
      ),
    )
    expect(result.stderr).not.toContain(SECRET)
  })

  it('reports a wrong type, an unknown key and an unknown provider, one line each, exit code 2', async () => {
    const file = join(dir, 'bad.profile.yaml')
    await writeFile(
      file,
      `profile: {default: auto}\naccounts:\n  - name: a\n    provider: openai\n    enabled: "yes"\n    modles: []\n`,
    )
    const result = await runCli(['profile', 'validate', '--config', file])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      [
        `Error: ${file} is not a valid routing profile (2 problems)`,
        `  ${file}:5:14 accounts[0].enabled: expected true or false, got a string`,
        '    fix: write `true` or `false` without quotes',
        `  ${file}:6:5 accounts[0].modles: unknown key \`modles\`; did you mean \`models\`?`,
        '    fix: rename it to `models`, or remove it (allowed here: name, provider, enabled, auth_mode, api_key, api_key_env, credential_ref, oauth_access_token, oauth_access_token_env, oauth_refresh_token, oauth_refresh_token_env, oauth_expires_at, oauth_expires_at_env, oauth_token_url, oauth_client_id, oauth_client_id_env, oauth_client_secret, oauth_client_secret_env, oauth_account_id, oauth_account_id_env, organization, project, headers, models, base_url)',
        '',
      ].join('\n'),
    )

    await writeFile(file, `profile: {default: auto}\naccounts:\n  - {name: a, provider: opnai, api_key: ${SECRET}}\n`)
    const provider = await runCli(['profile', 'validate', '--config', file, '--json'])
    expect(provider.code).toBe(2)
    expect(JSON.parse(provider.stdout)).toEqual({
      error: {
        code: 'config_invalid',
        message: `${file} is not a valid routing profile (1 problem)`,
        hint: null,
        problems: [
          {
            file,
            line: 3,
            column: 25,
            path: 'accounts[0].provider',
            message: 'unknown provider `opnai`; did you mean `openai`?',
            hint: 'use one of: openai, openai-codex, gemini, anthropic, openrouter, nvidia, github, ollama, openai-compatible',
            severity: 'error',
          },
        ],
      },
    })
    expect(provider.stdout).not.toContain(SECRET)
  })

  it('reports a missing file and an empty file, exit code 2', async () => {
    const missing = join(dir, 'nope.yaml')
    const empty = join(dir, 'empty.yaml')
    await writeFile(empty, '\n')
    const [result, emptyResult] = await Promise.all([
      runCli(['profile', 'validate', '--path', missing]),
      runCli(['profile', 'validate', '--path', empty]),
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `Error: config file not found: ${missing}\nFix: create one with \`router profile init\`, pass --config FILE, or set ROUTING_CONFIG_PATH\n`,
    )
    expect(emptyResult.code).toBe(2)
    expect(emptyResult.stderr).toBe(
      `Error: ${empty} is empty\nFix: run \`router profile init\` to write a starter profile (see router.profile.example.yaml for every field)\n`,
    )
  })
})

describe('router profile init', () => {
  it('writes a commented starter that validates, with accounts for the keys already set, and never overwrites without --force', async () => {
    const cwd = await mkdtemp(join(dir, 'init-'))
    const first = await runCli(['profile', 'init', '--profile', 'cost'], {cwd, env: {GEMINI_API_KEY: 'g-key'}})
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('Wrote router.profile.yaml (profile `cost`, accounts: gemini).')
    const text = await readFile(join(cwd, 'router.profile.yaml'), 'utf8')
    expect(text).toContain('  default: cost')
    expect(text).toContain('    api_key_env: GEMINI_API_KEY')
    expect(text).not.toContain('g-key')
    expect(text).toMatch(/^# /)

    const validated = await runCli(['profile', 'validate'], {cwd, env: {GEMINI_API_KEY: 'g-key'}})
    expect(validated.code).toBe(0)
    expect(validated.stdout).toContain('OK router.profile.yaml: profile (built-in `cost`)')

    const again = await runCli(['profile', 'init'], {cwd})
    expect(again.code).toBe(2)
    expect(again.stderr).toBe(
      'Error: router.profile.yaml already exists\nFix: pass --force to overwrite it, or --config to write another file\n',
    )
    expect(await readFile(join(cwd, 'router.profile.yaml'), 'utf8')).toBe(text)

    const forced = await runCli(['profile', 'init', '--force'], {cwd})
    expect(forced.code).toBe(0)
    const local = await readFile(join(cwd, 'router.profile.yaml'), 'utf8')
    expect(local).toContain('    provider: ollama')
  })

  it('rejects an unknown --profile with a suggestion', async () => {
    const result = await runCli(['profile', 'init', '--profile', 'cheap', '--path', join(dir, 'x.yaml')])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'Error: unknown profile `cheap`\nFix: use one of: auto, balanced, cost, latency, quality\n',
    )
  })
})

describe('router profile list and show', () => {
  it('lists the five built-in profiles, as text and JSON', async () => {
    const [text, listed] = await Promise.all([runCli(['profile', 'list']), runCli(['profile', 'list', '--json'])])
    expect(text.code).toBe(0)
    expect(
      text.stdout
        .split('\n')
        .slice(0, 5)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['auto*', 'balanced', 'cost', 'latency', 'quality'])
    const json = JSON.parse(listed.stdout) as Array<{name: string; default: boolean}>
    expect(json.map((p) => p.name)).toEqual(['auto', 'balanced', 'cost', 'latency', 'quality'])
    expect(json.filter((p) => p.default).map((p) => p.name)).toEqual(['auto'])
  })

  it('shows a profile route table, and suggests a name for a typo', async () => {
    const [shown, asJson, typo] = await Promise.all([
      runCli(['profile', 'show', 'latency']),
      runCli(['profile', 'show', 'quality', '--json']),
      runCli(['profile', 'show', 'qualty']),
    ])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/^latency: Fastest answer first/)
    expect(shown.stdout).toContain('coding:\n  low     openai-codex/gpt-5.3-codex-spark, ')
    expect(JSON.parse(asJson.stdout)).toMatchObject({name: 'quality', default_model: 'openai/gpt-5.1'})
    expect(typo.code).toBe(2)
    expect(typo.stderr).toBe(
      'Error: unknown profile `qualty`; did you mean `quality`?\nFix: use one of: auto, balanced, cost, latency, quality\n',
    )
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
