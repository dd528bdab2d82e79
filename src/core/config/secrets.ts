/** Inline secrets in a config: which fields hold them, and a masked copy for printing. */
import type {RuntimeConfig} from './schema.js'

/** Account fields that hold a credential when written inline (their `_env` twins only name a variable). */
export const SECRET_ACCOUNT_FIELDS = [
  'api_key',
  'oauth_access_token',
  'oauth_refresh_token',
  'oauth_client_secret',
] as const

/** What a masked secret prints as. */
export const MASK = '***'

/**
 * A copy of `config` with every inline secret replaced by `***`: the secret account fields and every value of an
 * account's `headers` (they usually carry `Authorization`).
 */
export function maskSecrets(config: RuntimeConfig): RuntimeConfig {
  return {
    ...config,
    accounts: config.accounts.map((account) => {
      const masked: Record<string, unknown> = {...account}
      for (const field of SECRET_ACCOUNT_FIELDS) if (masked[field] !== undefined) masked[field] = MASK
      if (account.headers) masked.headers = Object.fromEntries(Object.keys(account.headers).map((name) => [name, MASK]))
      return masked as RuntimeConfig['accounts'][number]
    }),
  }
}

/** Every inline secret value in `config` (to check that none leaks into output). */
export function inlineSecrets(config: RuntimeConfig): string[] {
  return config.accounts.flatMap((account) => [
    ...SECRET_ACCOUNT_FIELDS.map((field) => account[field]).filter(
      (value): value is string => typeof value === 'string',
    ),
    ...Object.values(account.headers ?? {}),
  ])
}
