import {execFile} from 'node:child_process'
import {existsSync, promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {ConfigError} from '../../../src/core/errors.js'
import {CredentialsStore, credentialsPath} from '../../../src/core/credentials/store.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../../..')
let dir: string

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'olr-store-'))
})
afterEach(async () => {
  await fs.rm(dir, {recursive: true, force: true})
})

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777

describe('credentialsPath', () => {
  it('prefers ROUTER_CREDENTIALS_PATH, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(credentialsPath({ROUTER_CREDENTIALS_PATH: '/x/creds.json', XDG_CONFIG_HOME: '/xdg'}, '/home/u')).toBe(
      '/x/creds.json',
    )
    expect(credentialsPath({XDG_CONFIG_HOME: '/xdg'}, '/home/u')).toBe('/xdg/open-llm-router/credentials.json')
    expect(credentialsPath({}, '/home/u')).toBe('/home/u/.config/open-llm-router/credentials.json')
    // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    expect(credentialsPath({XDG_CONFIG_HOME: 'rel'}, '/home/u')).toBe(
      '/home/u/.config/open-llm-router/credentials.json',
    )
  })
})

describe('CredentialsStore', () => {
  it('reads a missing file as empty and creates it with mode 600 in a 700 directory', async () => {
    const store = new CredentialsStore({env: {XDG_CONFIG_HOME: dir}})
    expect(await store.read()).toEqual({version: 1, entries: {}})
    await store.set('openai', {kind: 'api_key', api_key: 'sk-test-1', provider: 'openai'})
    expect(store.path).toBe(path.join(dir, 'open-llm-router', 'credentials.json'))
    expect(await mode(store.path)).toBe(0o600)
    expect(await mode(path.dirname(store.path))).toBe(0o700)
    const entry = await store.get('openai')
    expect(entry).toMatchObject({kind: 'api_key', api_key: 'sk-test-1'})
    expect(Date.parse(entry!.created_at)).not.toBeNaN()
    // Only the file itself remains: no temp files, no lock.
    expect(await fs.readdir(path.dirname(store.path))).toEqual(['credentials.json'])
  })

  it('keeps created_at and moves updated_at when an entry is replaced', async () => {
    let clock = Date.parse('2025-01-01T00:00:00Z')
    const store = new CredentialsStore({path: path.join(dir, 'c.json'), now: () => clock})
    await store.set('a', {kind: 'api_key', api_key: 'one'})
    clock += 60_000
    const replaced = await store.set('a', {kind: 'api_key', api_key: 'two'})
    expect(replaced).toMatchObject({
      api_key: 'two',
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:01:00.000Z',
    })
  })

  it('tightens a file and a default directory that other users can read, with a warning', async () => {
    const warnings: string[] = []
    const store = new CredentialsStore({env: {XDG_CONFIG_HOME: dir}, onWarning: (w) => warnings.push(w)})
    await store.set('a', {kind: 'api_key', api_key: 'k'})
    await fs.chmod(store.path, 0o644)
    await fs.chmod(path.dirname(store.path), 0o755)
    expect((await store.get('a'))?.kind).toBe('api_key')
    expect(await mode(store.path)).toBe(0o600)
    await store.set('b', {kind: 'api_key', api_key: 'k2'})
    expect(await mode(path.dirname(store.path))).toBe(0o700)
    expect(warnings).toEqual([
      `${store.path} was readable by other users (mode 644); changed it to 600.`,
      `${path.dirname(store.path)} was readable by other users (mode 755); changed it to 700.`,
    ])
  })

  it('does not change the mode of a directory the user chose with ROUTER_CREDENTIALS_PATH', async () => {
    await fs.chmod(dir, 0o755)
    const store = new CredentialsStore({env: {ROUTER_CREDENTIALS_PATH: path.join(dir, 'creds.json')}})
    await store.set('a', {kind: 'api_key', api_key: 'k'})
    expect(await mode(dir)).toBe(0o755)
    expect(await mode(store.path)).toBe(0o600)
  })

  it('reports a corrupt file with its path, line and the fix, without quoting its content', async () => {
    const file = path.join(dir, 'creds.json')
    await fs.writeFile(
      file,
      '{\n  "version": 1,\n  "entries": {"a": {"kind": "api_key", "api_key": "sk-secret-123"}\n',
      {mode: 0o600},
    )
    const store = new CredentialsStore({path: file})
    const error = await store.read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    const configError = error as ConfigError
    expect(configError.message).toBe(`The credentials file ${file} is not valid JSON.`)
    expect(configError.exitCode).toBe(2)
    expect(configError.hint).toContain(`mv ${file} ${file}.bak`)
    expect(configError.problems[0]).toMatchObject({file, line: 4})
    expect(JSON.stringify({m: configError.message, p: configError.problems, h: configError.hint})).not.toContain(
      'sk-secret',
    )
    // A failed read never rewrites the file.
    expect(await fs.readFile(file, 'utf8')).toContain('sk-secret-123')
  })

  it('names the fields of a file with the wrong shape', async () => {
    const file = path.join(dir, 'creds.json')
    await fs.writeFile(file, JSON.stringify({version: 1, entries: {a: {kind: 'api_key'}}}), {mode: 0o600})
    const error = (await new CredentialsStore({path: file}).read().catch((e: unknown) => e)) as ConfigError
    expect(error.code).toBe('credentials_invalid')
    expect(error.problems.map((p) => p.path)).toContain('entries.a.api_key')
  })

  it('deletes one entry and leaves the others', async () => {
    const store = new CredentialsStore({path: path.join(dir, 'c.json')})
    await store.set('a', {kind: 'api_key', api_key: '1'})
    await store.set('b', {kind: 'api_key', api_key: '2'})
    expect(await store.delete('a')).toBe(true)
    expect(await store.delete('a')).toBe(false)
    expect(Object.keys((await store.read()).entries)).toEqual(['b'])
  })

  it('loses no entry when many writers in one process race', async () => {
    const file = path.join(dir, 'c.json')
    await Promise.all(
      Array.from({length: 30}, (_, i) =>
        new CredentialsStore({path: file}).set(`acct-${i}`, {kind: 'api_key', api_key: `k${i}`}),
      ),
    )
    expect(Object.keys((await new CredentialsStore({path: file}).read()).entries)).toHaveLength(30)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('loses no entry when two processes write at the same time', async () => {
    const storeModule = path.join(root, 'dist/core/credentials/store.js')
    if (!existsSync(storeModule))
      throw new Error('run `npm run build` first: this test runs the built store in child processes')
    const file = path.join(dir, 'c.json')
    const script = `
      const {CredentialsStore} = await import(${JSON.stringify(storeModule)});
      const [prefix] = process.argv.slice(1);
      await Promise.all(Array.from({length: 20}, (_, i) =>
        new CredentialsStore({path: ${JSON.stringify(file)}}).set(prefix + i, {kind: 'api_key', api_key: 'k' + i})));
    `
    await Promise.all(['a', 'b'].map((prefix) => run(process.execPath, ['--input-type=module', '-e', script, prefix])))
    const entries = Object.keys((await new CredentialsStore({path: file}).read()).entries)
    expect(entries).toHaveLength(40)
  })

  it('takes over a lock left behind by a process that died', async () => {
    const file = path.join(dir, 'c.json')
    // A pid that cannot exist on Linux (above pid_max).
    await fs.writeFile(`${file}.lock`, '99999999 deadbeef')
    await new CredentialsStore({path: file, lockTimeoutMs: 2000}).set('a', {kind: 'api_key', api_key: 'k'})
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('gives up on a live lock after the timeout with the file to delete', async () => {
    const file = path.join(dir, 'c.json')
    await fs.writeFile(`${file}.lock`, `${process.pid} other`)
    const error = await new CredentialsStore({path: file, lockTimeoutMs: 100})
      .set('a', {kind: 'api_key', api_key: 'k'})
      .catch((e: unknown) => e)
    expect((error as Error).message).toBe(`The credentials file ${file} is locked by another process.`)
    expect((error as {hint: string}).hint).toContain(`${file}.lock`)
  })
})
