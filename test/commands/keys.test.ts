import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {keySha256} from '../../src/core/auth/keys.js'
import {runCli} from '../helpers/run-cli.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-keys-cli-'))
})

afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('router keys', () => {
  it('creates a key, prints it once, and stores only its SHA-256 with its limits', async () => {
    const created = await runCli(
      [
        'keys',
        'create',
        '--name',
        'alice',
        '--budget-usd-day',
        '5',
        '--rpm',
        '60',
        '--allowed-models',
        'openai/*, gemini/*',
      ],
      {cwd: dir},
    )
    expect(created.code, created.stderr).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^olr_[A-Za-z0-9_-]{43}$/)
    expect(created.stderr).toContain(
      'Created key "alice" ($5/day, 60 rpm, models openai/*, gemini/*) in router.keys.json',
    )
    expect(created.stderr).toContain('cannot be shown again')

    const text = await readFile(join(dir, 'router.keys.json'), 'utf8')
    expect(text).not.toContain(key)
    expect(JSON.parse(text)).toMatchObject({
      schema_version: 1,
      keys: [
        {
          name: 'alice',
          sha256: keySha256(key),
          hint: `olr_…${key.slice(-4)}`,
          revoked_at: null,
          limits: {budget_usd_day: 5, rpm: 60, allowed_models: ['openai/*', 'gemini/*']},
        },
      ],
    })
    expect((await stat(join(dir, 'router.keys.json'))).mode & 0o777).toBe(0o600)
  })

  it('lists keys with their hints and limits, and revokes one', async () => {
    const env = {ROUTER_KEYS_FILE: join(dir, 'team.json')}
    await runCli(['keys', 'create', '--name', 'ci'], {cwd: dir, env})
    await runCli(['keys', 'create', '--name', 'bob', '--max-concurrency', '2'], {cwd: dir, env})
    const revoked = await runCli(['keys', 'revoke', 'ci', '--json'], {cwd: dir, env})
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(JSON.parse(revoked.stdout)).toMatchObject({name: 'ci', revoked_at: expect.stringMatching(/^\d{4}-/)})

    const list = await runCli(['keys', 'list'], {cwd: dir, env})
    expect(list.stdout).toContain(`2 keys in ${join(dir, 'team.json')}:`)
    expect(list.stdout).toMatch(/ci\s+olr_….{4}\s+REVOKED \d{4}-\d{2}-\d{2}\s+no limits/)
    expect(list.stdout).toMatch(/bob\s+olr_….{4}\s+created \d{4}-\d{2}-\d{2}\s+2 at once/)
    const json = JSON.parse((await runCli(['keys', 'list', '--json'], {cwd: dir, env})).stdout)
    expect(json.keys.map((k: {name: string}) => k.name)).toEqual(['ci', 'bob'])
  })

  it('refuses a bad name, a name taken, a bad limit and an unknown key, saying how to fix each', async () => {
    const bad = await runCli(['keys', 'create', '--name', 'has space'], {cwd: dir})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('is not a valid key name')
    await runCli(['keys', 'create', '--name', 'alice'], {cwd: dir})
    const taken = await runCli(['keys', 'create', '--name', 'alice'], {cwd: dir})
    expect(taken.code).toBe(2)
    expect(taken.stderr).toContain('a key named "alice" already exists')
    const limit = await runCli(['keys', 'create', '--name', 'bob', '--budget-usd-day', 'lots'], {cwd: dir})
    expect(limit.code).toBe(2)
    expect(limit.stderr).toContain('--budget-usd-day')
    const unknown = await runCli(['keys', 'revoke', 'carol'], {cwd: dir})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no key named "carol"')
    expect(unknown.stderr).toContain('known keys: alice')
  })
})
