/**
 * `router keys create|list|revoke`: the managed keys file, and how its keys print. A key is shown once, when it is
 * created; the file keeps its SHA-256 (docs/gateway.md, "Managed keys, budgets and limits").
 */
import {Flags} from '@oclif/core'

import {createKey, readKeysFile, resolveKeysPath, revokeKey} from '../core/auth/keys.js'
import {KeyLimitsSchema, KeyNameSchema, type KeyLimits, type StoredKey} from '../core/auth/schema.js'
import {UsageError} from '../core/errors.js'

/** `--keys-file`, shared by the keys commands. */
export const keysFileFlag = Flags.string({description: 'Keys file (default ROUTER_KEYS_FILE or ./router.keys.json).'})

/** The flags of `keys create` that set limits. */
export interface LimitFlags {
  'budget-usd-day'?: number
  'budget-usd-month'?: number
  rpm?: number
  tpm?: number
  'max-concurrency'?: number
  'allowed-models'?: string
}

/** Creates a key; the result holds the key in clear, for the one time it is shown. */
export async function runCreate(options: {
  name: string
  limits: LimitFlags
  keysFile?: string
  env: NodeJS.ProcessEnv
}): Promise<{file: string; key: string; stored: StoredKey}> {
  const name = KeyNameSchema.safeParse(options.name)
  if (!name.success)
    throw new UsageError(`"${options.name}" is not a valid key name: ${name.error.issues[0].message}`, {
      hint: 'e.g. --name alice or --name ci-nightly',
    })
  const flags = options.limits
  const parsed = KeyLimitsSchema.safeParse({
    budget_usd_day: flags['budget-usd-day'],
    budget_usd_month: flags['budget-usd-month'],
    rpm: flags.rpm,
    tpm: flags.tpm,
    max_concurrency: flags['max-concurrency'],
    allowed_models: flags['allowed-models']
      ?.split(',')
      .map((m) => m.trim())
      .filter(Boolean),
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UsageError(`--${String(issue.path[0]).replaceAll('_', '-')}: ${issue.message}`, {
      hint: 'budgets are positive amounts in USD; rpm, tpm and concurrency positive whole numbers',
    })
  }
  const limits = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as KeyLimits
  const file = resolveKeysPath(options.keysFile, options.env)
  const {key, stored} = await createKey(file, name.data, limits)
  return {file, key, stored}
}

export async function runList(options: {
  keysFile?: string
  env: NodeJS.ProcessEnv
}): Promise<{file: string; keys: StoredKey[]}> {
  const file = resolveKeysPath(options.keysFile, options.env)
  return {file, keys: (await readKeysFile(file)).keys}
}

export async function runRevoke(options: {
  name: string
  keysFile?: string
  env: NodeJS.ProcessEnv
}): Promise<{file: string; key: StoredKey}> {
  const file = resolveKeysPath(options.keysFile, options.env)
  return {file, key: await revokeKey(file, options.name)}
}

/** A key's limits in words: `$5/day, 60 rpm, models openai/*`, or `no limits`. */
export function describeLimits(limits: KeyLimits): string {
  const parts: string[] = []
  if (limits.budget_usd_day !== undefined) parts.push(`$${limits.budget_usd_day}/day`)
  if (limits.budget_usd_month !== undefined) parts.push(`$${limits.budget_usd_month}/month`)
  if (limits.rpm !== undefined) parts.push(`${limits.rpm} rpm`)
  if (limits.tpm !== undefined) parts.push(`${limits.tpm} tpm`)
  if (limits.max_concurrency !== undefined) parts.push(`${limits.max_concurrency} at once`)
  if (limits.allowed_models !== undefined) parts.push(`models ${limits.allowed_models.join(', ')}`)
  return parts.length === 0 ? 'no limits' : parts.join(', ')
}

/** The text of `keys list`: one line per key. */
export function formatKeyList(file: string, keys: StoredKey[]): string {
  if (keys.length === 0) return `No keys in ${file}. Create one with \`router keys create --name NAME\`.`
  const width = Math.max(...keys.map((k) => k.name.length), 4)
  const lines = keys.map((k) => {
    const status =
      k.revoked_at === null ? `created ${k.created_at.slice(0, 10)}` : `REVOKED ${k.revoked_at.slice(0, 10)}`
    return `${k.name.padEnd(width)}  ${k.hint.padEnd(10)}  ${status.padEnd(18)}  ${describeLimits(k.limits)}`
  })
  return [`${keys.length} key${keys.length === 1 ? '' : 's'} in ${file}:`, ...lines].join('\n')
}
