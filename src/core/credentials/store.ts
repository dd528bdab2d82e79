/**
 * The credentials file: where `router provider login` keeps API keys and OAuth tokens so that profiles only reference
 * them. One JSON file, mode 0600 in a 0700 directory, replaced atomically (temp file + rename) and changed only under a
 * lock file, so two processes (a login and a gateway refreshing a token) never lose each other's entries.
 */
import {randomBytes} from 'node:crypto'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {ConfigError, RouterError} from '../errors.js'
import {withFileLock} from '../file-lock.js'
import {
  CREDENTIALS_FILE_VERSION,
  CredentialsFileSchema,
  type ApiKeyCredential,
  type CredentialEntry,
  type OAuthCredential,
  type CredentialsFile,
} from './schema.js'

/** Environment variable that overrides the credentials file location. */
export const CREDENTIALS_PATH_ENV = 'ROUTER_CREDENTIALS_PATH'

/** Where the credentials file lives: `ROUTER_CREDENTIALS_PATH`, else the XDG config dir, else `~/.config`. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const override = env[CREDENTIALS_PATH_ENV]
  if (override) return path.resolve(override)
  const configHome =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config')
  return path.join(configHome, 'open-llm-router', 'credentials.json')
}

/** An entry as callers give it; the store stamps the times. */
export type CredentialEntryInput =
  Omit<ApiKeyCredential, 'created_at' | 'updated_at'> | Omit<OAuthCredential, 'created_at' | 'updated_at'>

export interface CredentialsStoreOptions {
  /** File path; default `credentialsPath(env)`. */
  path?: string
  env?: NodeJS.ProcessEnv
  /** Told about repaired file or directory permissions. */
  onWarning?: (message: string) => void
  /** How long to wait for another process's lock before giving up (default 10 s). */
  lockTimeoutMs?: number
  now?: () => number
}

/** What `snapshot()` returns: the file's content and the modification time it was read at. */
export interface CredentialsSnapshot {
  file: CredentialsFile
  /** `undefined` when the file does not exist. */
  mtimeMs: number | undefined
}

const FILE_MODE = 0o600
const DIR_MODE = 0o700
const checksPermissions = process.platform !== 'win32'

/** An empty credentials file. */
export function emptyCredentialsFile(): CredentialsFile {
  return {version: CREDENTIALS_FILE_VERSION, entries: {}}
}

/** The credentials file of one user. Cheap to construct; every method reads the file afresh. */
export class CredentialsStore {
  readonly path: string
  private readonly onWarning: (message: string) => void
  private readonly lockTimeoutMs: number
  private readonly now: () => number
  /** The default location's directory is ours to tighten; a directory named by the user (e.g. /tmp) is not. */
  private readonly ownsDirectory: boolean

  constructor(options: CredentialsStoreOptions = {}) {
    const env = options.env ?? process.env
    this.path = options.path ? path.resolve(options.path) : credentialsPath(env)
    this.ownsDirectory = !options.path && !env[CREDENTIALS_PATH_ENV]
    this.onWarning = options.onWarning ?? (() => {})
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000
    this.now = options.now ?? Date.now
  }

  /** The whole file (empty when it does not exist yet). */
  async read(): Promise<CredentialsFile> {
    return (await this.snapshot()).file
  }

  /** The file with its modification time, so callers can cache it and notice changes with one `stat`. */
  async snapshot(): Promise<CredentialsSnapshot> {
    let text: string
    let mtimeMs: number
    try {
      const handle = await fs.open(this.path, 'r')
      try {
        const stat = await handle.stat()
        mtimeMs = stat.mtimeMs
        if (checksPermissions && (stat.mode & 0o077) !== 0) await this.tightenFile(stat.mode)
        text = await handle.readFile('utf8')
      } finally {
        await handle.close()
      }
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return {file: emptyCredentialsFile(), mtimeMs: undefined}
      if (error instanceof RouterError) throw error
      throw new ConfigError(`Cannot read the credentials file ${this.path}: ${errnoText(error)}`, [], {
        code: 'credentials_unreadable',
        hint: `Check the file's owner and permissions (it should be yours, mode 600), or point ${CREDENTIALS_PATH_ENV} at another file.`,
        cause: error,
      })
    }
    return {file: this.parse(text), mtimeMs}
  }

  /** Modification time of the file, `undefined` when it does not exist. */
  async mtimeMs(): Promise<number | undefined> {
    try {
      return (await fs.stat(this.path)).mtimeMs
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined
      throw error
    }
  }

  /** One entry, by reference (account name or `credential_ref`). */
  async get(ref: string): Promise<CredentialEntry | undefined> {
    const file = await this.read()
    return Object.hasOwn(file.entries, ref) ? file.entries[ref] : undefined
  }

  /** Stores (or replaces) one entry; `created_at` survives a replacement. */
  async set(ref: string, entry: CredentialEntryInput): Promise<CredentialEntry> {
    return this.update((file) => {
      const stamp = new Date(this.now()).toISOString()
      const previous = Object.hasOwn(file.entries, ref) ? file.entries[ref] : undefined
      const stored = {...entry, created_at: previous?.created_at ?? stamp, updated_at: stamp} as CredentialEntry
      file.entries[ref] = stored
      return stored
    })
  }

  /** Removes one entry; false when there was none (the file is then left untouched). */
  async delete(ref: string): Promise<boolean> {
    if ((await this.get(ref)) === undefined) return false
    return this.update((file) => {
      if (!Object.hasOwn(file.entries, ref)) return false
      delete file.entries[ref]
      return true
    })
  }

  /**
   * Read-modify-write under the lock: `mutate` sees the current file (as another process may just have written it),
   * changes it in place and returns a result; the file is then replaced atomically. Returning `undefined` from an
   * async mutate is fine; throwing leaves the file untouched.
   */
  async update<T>(mutate: (file: CredentialsFile) => T | Promise<T>): Promise<T> {
    await this.ensureDirectory()
    return withFileLock(
      this.path,
      async () => {
        const file = await this.read()
        const result = await mutate(file)
        await this.write(CredentialsFileSchema.parse(file))
        return result
      },
      {timeoutMs: this.lockTimeoutMs, what: `The credentials file ${this.path}`},
    )
  }

  private parse(text: string): CredentialsFile {
    if (text.trim() === '') return emptyCredentialsFile()
    const hint = `Fix the file by hand, or move it away (mv ${this.path} ${this.path}.bak) and run \`router provider login\` again.`
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      // V8's message may quote the file's text, which holds secrets: report only the position.
      const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')
      const where = position ? lineAndColumn(text, Number(position[1])) : {}
      throw new ConfigError(
        `The credentials file ${this.path} is not valid JSON.`,
        [{file: this.path, ...where, message: 'invalid JSON'}],
        {
          code: 'credentials_invalid',
          hint,
        },
      )
    }
    const parsed = CredentialsFileSchema.safeParse(json)
    if (parsed.success) return parsed.data
    throw new ConfigError(
      `The credentials file ${this.path} does not have the expected shape.`,
      parsed.error.issues.map((issue) => ({file: this.path, path: formatPath(issue.path), message: issue.message})),
      {code: 'credentials_invalid', hint},
    )
  }

  private async write(file: CredentialsFile): Promise<void> {
    const dir = path.dirname(this.path)
    const temp = path.join(dir, `.${path.basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
    const handle = await fs.open(temp, 'wx', FILE_MODE)
    try {
      await handle.writeFile(JSON.stringify(file, null, 2) + '\n', 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await fs.rename(temp, this.path)
    } catch (error) {
      await fs.rm(temp, {force: true})
      throw error
    }
  }

  private async ensureDirectory(): Promise<void> {
    const dir = path.dirname(this.path)
    await fs.mkdir(dir, {recursive: true, mode: DIR_MODE})
    if (!checksPermissions || !this.ownsDirectory) return
    const stat = await fs.stat(dir)
    if ((stat.mode & 0o077) !== 0) {
      await fs.chmod(dir, DIR_MODE)
      this.onWarning(`${dir} was readable by other users (mode ${octal(stat.mode)}); changed it to 700.`)
    }
  }

  private async tightenFile(mode: number): Promise<void> {
    await fs.chmod(this.path, FILE_MODE)
    this.onWarning(`${this.path} was readable by other users (mode ${octal(mode)}); changed it to 600.`)
  }
}

function lineAndColumn(text: string, offset: number): {line: number; column: number} {
  const before = text.slice(0, offset).split('\n')
  return {line: before.length, column: before[before.length - 1].length + 1}
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('')
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8)
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code
}

function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code ?? (error instanceof Error ? error.message : String(error))
}
