/**
 * `router provider list`: the profile's accounts and where each one's secret lives, never the secret itself.
 * Follows the gateway's own order (`src/gateway/credentials.ts`), so what it says is what `router serve` will do.
 */
import {getProvider} from '../../core/catalog/index.js'
import {profileAccounts, readProfileText} from '../../core/config/profile-edit.js'
import type {ProfileAccount} from '../../core/config/schema.js'
import {REFRESH_MARGIN_MS} from '../../core/credentials/oauth.js'
import type {CredentialsFile} from '../../core/credentials/schema.js'
import {CredentialsStore} from '../../core/credentials/store.js'
import {ConfigError} from '../../core/errors.js'

/** Where one account's secret lives. */
export interface SecretInfo {
  /** `env`: an environment variable; `credentials-file`; `inline`: in the profile itself; `client`: passthrough. */
  location: 'env' | 'credentials-file' | 'inline' | 'client' | 'none' | 'missing'
  env_var?: string
  env_set?: boolean
  /** OAuth: access token expiry (ISO 8601) and whether it can be refreshed. */
  expires_at?: string
  refreshable?: boolean
  /** Short human text, e.g. `env:OPENAI_API_KEY (set)`, `oauth (expires in 3d)`. */
  summary: string
}

/** One row of `provider list --json`. */
export interface AccountListing {
  name: string
  provider: string
  auth_mode: ProfileAccount['auth_mode']
  enabled: boolean
  base_url: string | null
  models: string[]
  secret: SecretInfo
}

/** The `--json` document of `provider list`. */
export interface AccountList {
  profile: string
  credentials_file: string
  accounts: AccountListing[]
  /** Entries of the credentials file that no account of this profile uses. */
  unused_credentials: string[]
}

export async function listAccounts(options: {
  profile: string
  env: NodeJS.ProcessEnv
  credentialsPath?: string
  now?: number
  onWarning?: (message: string) => void
}): Promise<AccountList> {
  const text = await readProfileText(options.profile)
  if (text === undefined) {
    throw new ConfigError(`${options.profile} does not exist, so there are no accounts to list.`, [], {
      code: 'config_not_found',
      hint: 'add one with `router provider login`, or pass --config FILE',
    })
  }
  const accounts = profileAccounts(text, options.profile)
  const store = new CredentialsStore({path: options.credentialsPath, env: options.env, onWarning: options.onWarning})
  const file = await store.read()
  const now = options.now ?? Date.now()
  const refs = new Set(accounts.map((account) => account.credential_ref ?? account.name))
  return {
    profile: options.profile,
    credentials_file: store.path,
    accounts: accounts.map((account) => ({
      name: account.name,
      provider: account.provider,
      auth_mode: account.auth_mode,
      enabled: account.enabled,
      base_url: account.base_url ?? null,
      models: account.models,
      secret: secretOf(account, file, options.env, now),
    })),
    unused_credentials: Object.keys(file.entries).filter((ref) => !refs.has(ref)),
  }
}

/** Where `account`'s secret comes from, in the gateway's order. */
export function secretOf(
  account: ProfileAccount,
  file: CredentialsFile,
  env: NodeJS.ProcessEnv,
  now: number,
): SecretInfo {
  const ref = account.credential_ref ?? account.name
  const entry = Object.hasOwn(file.entries, ref) ? file.entries[ref] : undefined
  if (account.auth_mode === 'passthrough')
    return {location: 'client', summary: "the client's own bearer token (passthrough)"}
  if (account.auth_mode === 'oauth') {
    if (account.oauth_access_token)
      return {location: 'inline', summary: 'oauth tokens inline in profile (consider `router provider login`)'}
    if (account.oauth_access_token_env) {
      const set = Boolean(env[account.oauth_access_token_env])
      return {
        location: 'env',
        env_var: account.oauth_access_token_env,
        env_set: set,
        summary: `oauth env:${account.oauth_access_token_env} (${set ? 'set' : 'not set'})`,
      }
    }
    if (entry?.kind === 'oauth') {
      const refreshable = entry.refresh_token !== undefined
      return {
        location: 'credentials-file',
        expires_at: new Date(entry.expires_at).toISOString(),
        refreshable,
        summary: `oauth, credentials file (${expiry(entry.expires_at, now, refreshable)})`,
      }
    }
    return {
      location: 'missing',
      summary: `missing: run \`router provider login openai --kind chatgpt --name ${account.name}\``,
    }
  }
  if (account.api_key_env) {
    const set = Boolean(env[account.api_key_env])
    const fallback = !set && entry?.kind === 'api_key' ? '; the credentials file has a key' : ''
    return {
      location: 'env',
      env_var: account.api_key_env,
      env_set: set,
      summary: `env:${account.api_key_env} (${set ? 'set' : 'not set'}${fallback})`,
    }
  }
  if (account.api_key)
    return {location: 'inline', summary: 'inline in profile (consider moving it: `router provider login --apikey`)'}
  if (entry?.kind === 'api_key') return {location: 'credentials-file', summary: 'credentials file'}
  if (getProvider(account.provider)?.requires_key === false) return {location: 'none', summary: 'none needed'}
  return {
    location: 'missing',
    summary: `missing: run \`router provider login ${account.provider} --name ${account.name}\``,
  }
}

/** `expires in 3d`, `expires in 4 min (refreshes on use)`, `expired 2h ago (refreshes on use)`. */
function expiry(expiresAt: number, now: number, refreshable: boolean): string {
  const left = expiresAt - now
  const note =
    refreshable && left < REFRESH_MARGIN_MS
      ? ' (refreshes on use)'
      : !refreshable && left <= 0
        ? ' (sign in again)'
        : ''
  return left > 0 ? `expires in ${duration(left)}${note}` : `expired ${duration(-left)} ago${note}`
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000)
  if (minutes < 60) return `${Math.max(minutes, 1)} min`
  const hours = Math.round(minutes / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.round(hours / 24)}d`
}

/** The human table of `provider list`. */
export function formatAccountList(list: AccountList): string {
  if (list.accounts.length === 0) return `No accounts in ${list.profile}. Add one with \`router provider login\`.`
  const rows = [
    ['NAME', 'PROVIDER', 'AUTH', 'ENABLED', 'MODELS', 'SECRET'],
    ...list.accounts.map((account) => [
      account.name,
      account.provider,
      account.auth_mode,
      account.enabled ? 'yes' : 'no',
      account.models.length === 0 ? 'any' : String(account.models.length),
      account.secret.summary,
    ]),
  ]
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  const lines = rows.map((row) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '),
  )
  const footer = [`profile: ${list.profile}`, `credentials file: ${list.credentials_file}`]
  if (list.unused_credentials.length > 0) {
    footer.push(
      `unused entries in the credentials file: ${list.unused_credentials.join(', ')} (remove with \`router provider logout NAME\`)`,
    )
  }
  return [...lines, '', ...footer].join('\n')
}
