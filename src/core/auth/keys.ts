/**
 * Managed ingress keys: the keys file (`ROUTER_KEYS_FILE`, default `router.keys.json`) that `router keys create`,
 * `list` and `revoke` edit and the gateway reads. A new key is 32 random bytes (`olr_` + base64url); the file keeps
 * only its SHA-256 and a hint (prefix and last four characters), so the key is shown once, when it is created.
 */
import {createHash, randomBytes} from 'node:crypto'
import {readFile} from 'node:fs/promises'

import {writeFileAtomic} from '../atomic-write.js'
import {ConfigError, RouterError, UsageError} from '../errors.js'
import {withFileLock} from '../file-lock.js'
import type {IngressKey} from './ingress.js'
import {KeysFileSchema, type KeyLimits, type KeysFile, type StoredKey} from './schema.js'

/** Default keys file, in the working directory. */
export const DEFAULT_KEYS_FILE = 'router.keys.json'
/** Environment variable naming the keys file. */
export const KEYS_FILE_ENV = 'ROUTER_KEYS_FILE'
const PREFIX = 'olr_'

/** The keys file to use: the flag, else `ROUTER_KEYS_FILE`, else `./router.keys.json`. */
export function resolveKeysPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env[KEYS_FILE_ENV] || DEFAULT_KEYS_FILE
}

/** SHA-256 of a key, hex: the form the keys file keeps. */
export function keySha256(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** A new random key. */
export function generateKey(): string {
  return PREFIX + randomBytes(32).toString('base64url')
}

/** `olr_…x9Qa`: enough to tell keys apart in a list, not enough to use one. */
export function keyHint(key: string): string {
  const prefix = key.startsWith(PREFIX) ? PREFIX : ''
  return `${prefix}…${key.slice(-4)}`
}

/** The keys of a keys file that authenticate (not revoked), as the ingress authenticator compares them. */
export function managedIngressKeys(file: KeysFile): IngressKey[] {
  return file.keys
    .filter((k) => k.revoked_at === null)
    .map((k) => ({principal: k.name, digest: Buffer.from(k.sha256, 'hex')}))
}

/** Reads the keys file; a missing file is an empty one. Throws a `ConfigError` naming the file for a bad one. */
export async function readKeysFile(path: string): Promise<KeysFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {schema_version: 1, keys: []}
    throw new ConfigError(`cannot read the keys file ${path}: ${(error as Error).message}`, [], {
      code: 'keys_file_unreadable',
    })
  }
  return parseKeysFile(text, path)
}

/** Parses the keys file's text. */
export function parseKeysFile(text: string, path: string): KeysFile {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(
      `${path} is not valid JSON`,
      [
        {
          file: path,
          message: (error as Error).message,
          hint: 'restore it from a backup, or delete it and create the keys again',
        },
      ],
      {
        code: 'keys_file_invalid',
      },
    )
  }
  const parsed = KeysFileSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      file: path,
      path: issue.path.map(String).join('.'),
      message: issue.message,
      hint: 'edit the file with `router keys`, not by hand',
    }))
    throw new ConfigError(
      `${path} is not a valid keys file (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
      problems,
      {code: 'keys_file_invalid'},
    )
  }
  const names = new Set<string>()
  for (const key of parsed.data.keys) {
    if (names.has(key.name)) {
      throw new ConfigError(
        `${path} lists the key "${key.name}" twice`,
        [{file: path, message: `two keys are named ${key.name}`, hint: 'revoke or rename one'}],
        {
          code: 'keys_file_invalid',
        },
      )
    }
    names.add(key.name)
  }
  return parsed.data
}

/** Creates a key named `name` with `limits`; returns the key in clear (shown once) and its stored form. */
export async function createKey(
  path: string,
  name: string,
  limits: KeyLimits,
  now = new Date(),
): Promise<{key: string; stored: StoredKey}> {
  return withFileLock(
    path,
    async () => {
      const file = await readKeysFile(path)
      const existing = file.keys.find((k) => k.name === name)
      if (existing !== undefined) {
        throw new UsageError(`a key named "${name}" already exists${existing.revoked_at ? ' (revoked)' : ''}`, {
          hint: 'choose another --name; names stay taken after a revoke so that the audit log keeps meaning one key',
        })
      }
      const key = generateKey()
      const stored: StoredKey = {
        name,
        sha256: keySha256(key),
        hint: keyHint(key),
        created_at: now.toISOString(),
        revoked_at: null,
        limits,
      }
      file.keys.push(stored)
      await writeKeysFile(path, file)
      return {key, stored}
    },
    {what: 'the keys file'},
  )
}

/** Revokes the key named `name`; returns it. Revoking a revoked key changes nothing. */
export async function revokeKey(path: string, name: string, now = new Date()): Promise<StoredKey> {
  return withFileLock(
    path,
    async () => {
      const file = await readKeysFile(path)
      const key = file.keys.find((k) => k.name === name)
      if (key === undefined) {
        const known = file.keys.map((k) => k.name)
        throw new RouterError('key_not_found', `no key named "${name}" in ${path}`, {
          hint:
            known.length === 0 ? 'this keys file has no keys; check --keys-file' : `known keys: ${known.join(', ')}`,
          exitCode: 2,
        })
      }
      if (key.revoked_at === null) {
        key.revoked_at = now.toISOString()
        await writeKeysFile(path, file)
      }
      return key
    },
    {what: 'the keys file'},
  )
}

async function writeKeysFile(path: string, file: KeysFile): Promise<void> {
  // Digests only, but still nobody else's business: owner read/write.
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', {mode: 0o600})
}
