import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/core/errors.js'
import {
  NEW_PROFILE_TEXT,
  profileAccounts,
  removeAccount,
  upsertAccount,
  writeProfile,
} from '../../../src/core/config/profile-edit.js'

const PROFILE = `# My profile
schema_version: 1   # keep this
profile:
  default: auto
accounts:
  # first
  - name: work
    provider: openai
    api_key_env: OPENAI_API_KEY   # the team key
    models: [openai/gpt-5.2]
    # inner comment of work
  # the next one is mine
  - name: gem
    provider: gemini
    api_key_env: GEMINI_API_KEY # note
    # trailing of gem
  # after gem, at item level

# top-level comment
guardrails:
  max_cost_input_per_1k: 0.01
`

/** The text before and after the lines of the account that an edit may change. */
function outside(text: string, from: string, to: string): [string, string] {
  const start = text.indexOf(from)
  const end = text.indexOf(to, start)
  return [text.slice(0, start), text.slice(end)]
}

describe('upsertAccount', () => {
  it('appends a new account after the last one and leaves every other byte alone', () => {
    const edit = upsertAccount(PROFILE, 'p.yaml', {
      name: 'claude',
      set: {provider: 'anthropic', api_key_env: 'ANTHROPIC_API_KEY', models: ['anthropic/claude-sonnet-4-5']},
    })
    expect(edit.action).toBe('added')
    const insertedAt = PROFILE.indexOf('  # after gem')
    const added = `  - name: claude
    provider: anthropic
    api_key_env: ANTHROPIC_API_KEY
    models:
      - anthropic/claude-sonnet-4-5
`
    expect(edit.text).toBe(PROFILE.slice(0, insertedAt) + added + PROFILE.slice(insertedAt))
    expect(edit.account).toMatchObject({name: 'claude', provider: 'anthropic', models: ['anthropic/claude-sonnet-4-5']})
    expect(edit.loaded?.config.accounts.map((a) => a.name)).toEqual(['work', 'gem', 'claude'])
  })

  it('updates an account in place: same position, comments inside and outside kept, flow list stays flow', () => {
    const edit = upsertAccount(PROFILE, 'p.yaml', {
      name: 'work',
      set: {provider: 'openai', models: ['openai/gpt-5.2', 'openai/gpt-5-mini']},
      remove: ['api_key_env'],
    })
    expect(edit.action).toBe('updated')
    expect(edit.previous?.api_key_env).toBe('OPENAI_API_KEY')
    const [before, after] = outside(PROFILE, '- name: work', '  # the next one')
    expect(edit.text.startsWith(before)).toBe(true)
    expect(edit.text.endsWith(after)).toBe(true)
    expect(edit.text).toContain(`  - name: work
    provider: openai
    models: [openai/gpt-5.2, openai/gpt-5-mini]
    # inner comment of work
  # the next one is mine`)
    expect(profileAccounts(edit.text, 'p.yaml').map((a) => a.name)).toEqual(['work', 'gem'])
  })

  it('keeps a trailing comment on the last value exactly once', () => {
    const edit = upsertAccount(PROFILE, 'p.yaml', {name: 'gem', set: {provider: 'gemini', api_key_env: 'MY_GEMINI'}})
    expect(edit.text).toContain(
      '    api_key_env: MY_GEMINI # note\n    # trailing of gem\n  # after gem, at item level\n',
    )
    expect(edit.text.match(/# note/g)).toHaveLength(1)
    expect(edit.text.match(/# trailing of gem/g)).toHaveLength(1)
  })

  it('is idempotent: the same change twice gives the same text', () => {
    const change = {name: 'claude', set: {provider: 'anthropic', api_key_env: 'ANTHROPIC_API_KEY'}}
    const once = upsertAccount(PROFILE, 'p.yaml', change).text
    expect(upsertAccount(once, 'p.yaml', change).text).toBe(once)
  })

  it('creates a new profile with a commented header', () => {
    const edit = upsertAccount(undefined, 'p.yaml', {
      name: 'local',
      set: {provider: 'ollama', base_url: 'http://localhost:11434'},
    })
    expect(edit.text).toBe(
      `${NEW_PROFILE_TEXT}accounts:\n  - name: local\n    provider: ollama\n    base_url: http://localhost:11434\n`,
    )
    expect(edit.loaded?.kind).toBe('profile')
  })

  it('fills `accounts: []` and keeps an unindented list style', () => {
    const empty = 'schema_version: 1\nprofile: {default: auto}\naccounts: [] # none yet\nguardrails: {}\n'
    const first = upsertAccount(empty, 'p.yaml', {name: 'a', set: {provider: 'ollama'}}).text
    expect(first).toBe(
      'schema_version: 1\nprofile: {default: auto}\naccounts:\n  - name: a\n    provider: ollama # none yet\nguardrails: {}\n',
    )
    const flat = 'profile:\n  default: auto\naccounts:\n- name: a\n  provider: ollama\n'
    expect(
      upsertAccount(flat, 'p.yaml', {name: 'b', set: {provider: 'ollama', models: ['ollama/llama3.2']}}).text,
    ).toBe(`${flat}- name: b\n  provider: ollama\n  models:\n  - ollama/llama3.2\n`)
  })

  it('keeps CRLF line endings', () => {
    const crlf = 'profile:\r\n  default: auto\r\naccounts:\r\n  - name: a\r\n    provider: ollama\r\n'
    const text = upsertAccount(crlf, 'p.yaml', {name: 'b', set: {provider: 'ollama'}}).text
    expect(text).toBe(`${crlf}  - name: b\r\n    provider: ollama\r\n`)
  })

  it('refuses a change that makes the profile invalid, with the file and line', () => {
    const error = (() => {
      try {
        upsertAccount(PROFILE, 'p.yaml', {name: 'x', set: {provider: 'opnai'}})
      } catch (e) {
        return e as ConfigError
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error?.problems[0]).toMatchObject({file: 'p.yaml', line: 18, path: 'accounts[2].provider'})
    expect(error?.problems[0].message).toContain('unknown provider `opnai`')
  })

  it('refuses to edit a raw runtime config', () => {
    expect(() =>
      upsertAccount('default_model: openai/gpt-5.2\naccounts: []\n', 'router.yaml', {
        name: 'a',
        set: {provider: 'ollama'},
      }),
    ).toThrow('router.yaml is a raw runtime config (router.yaml), not a profile')
  })

  it('reports a YAML syntax error with its line', () => {
    try {
      upsertAccount('profile:\n  default: auto\naccounts:\n  - name: a\n   provider: x\n', 'p.yaml', {
        name: 'a',
        set: {provider: 'ollama'},
      })
      expect.unreachable()
    } catch (error) {
      expect((error as ConfigError).problems[0]).toMatchObject({file: 'p.yaml', line: 5})
    }
  })
})

describe('removeAccount', () => {
  it('removes the account with its own comments and keeps everything else byte for byte', () => {
    const edit = removeAccount(PROFILE, 'p.yaml', 'work')
    expect(edit.action).toBe('removed')
    expect(edit.previous?.name).toBe('work')
    expect(edit.text).toBe(PROFILE.replace(/ {2}- name: work\n(?: {4}.*\n)+/, ''))
    expect(edit.text).toContain('  # first\n  # the next one is mine\n  - name: gem')
  })

  it('leaves `accounts: []` when the last account goes', () => {
    const one = 'profile:\n  default: auto\naccounts: # mine\n  - name: a\n    provider: ollama\nguardrails: {}\n'
    expect(removeAccount(one, 'p.yaml', 'a').text).toBe(
      'profile:\n  default: auto\naccounts: [] # mine\nguardrails: {}\n',
    )
  })

  it('suggests the closest names for an unknown account', () => {
    expect(() => removeAccount(PROFILE, 'p.yaml', 'wrok')).toThrow(
      'p.yaml has no account named `wrok`; did you mean `work`?',
    )
  })
})

describe('writeProfile', () => {
  it('replaces the file atomically and keeps its mode', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'olr-profile-'))
    try {
      const file = path.join(dir, 'router.profile.yaml')
      await fs.writeFile(file, PROFILE, {mode: 0o640})
      await writeProfile(file, 'profile:\n  default: auto\n')
      expect(await fs.readFile(file, 'utf8')).toBe('profile:\n  default: auto\n')
      expect((await fs.stat(file)).mode & 0o777).toBe(0o640)
      expect(await fs.readdir(dir)).toEqual(['router.profile.yaml'])
    } finally {
      await fs.rm(dir, {recursive: true, force: true})
    }
  })
})
