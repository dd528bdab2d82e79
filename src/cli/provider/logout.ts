/** `router provider logout`: removes an account from the profile and its secrets from the credentials file. */
import {
  profileAccounts,
  readProfileText,
  removeAccount,
  unknownAccount,
  writeProfile,
} from '../../core/config/profile-edit.js'
import {CredentialsStore} from '../../core/credentials/store.js'
import {ConfigError} from '../../core/errors.js'
import {withFileLock} from '../../core/file-lock.js'

/** The `--json` result of `provider logout` (stable keys). */
export interface LogoutResult {
  account: string
  provider: string | null
  profile: string
  removed_from_profile: boolean
  /** Entry of the credentials file that was removed, if any. */
  credentials_removed: string | null
  /** Why a stored secret was kept (`--keep-credentials`, or another account uses it). */
  credentials_kept_reason: string | null
}

export async function runLogout(options: {
  name: string
  profile: string
  keepCredentials: boolean
  env: NodeJS.ProcessEnv
  credentialsPath?: string
  onWarning?: (message: string) => void
}): Promise<LogoutResult> {
  const {name, profile} = options
  const store = new CredentialsStore({path: options.credentialsPath, env: options.env, onWarning: options.onWarning})
  const text = await readProfileText(profile)
  const accounts = text === undefined ? [] : profileAccounts(text, profile)
  const account = accounts.find((candidate) => candidate.name === name)
  const stored = await store.read()

  if (!account) {
    // A secret left behind by an account that was deleted by hand can still be removed by name.
    if (
      Object.hasOwn(stored.entries, name) &&
      !accounts.some((other) => (other.credential_ref ?? other.name) === name)
    ) {
      const removed = options.keepCredentials ? false : await store.delete(name)
      return {
        account: name,
        provider: stored.entries[name].provider ?? null,
        profile,
        removed_from_profile: false,
        credentials_removed: removed ? name : null,
        credentials_kept_reason: options.keepCredentials ? '--keep-credentials' : null,
      }
    }
    if (text === undefined) {
      throw new ConfigError(`${profile} does not exist, so it has no account \`${name}\`.`, [], {
        code: 'config_not_found',
        hint: 'pass the profile that holds the account with --config FILE',
      })
    }
    throw unknownAccount(
      profile,
      name,
      accounts.map((candidate) => candidate.name),
    )
  }

  const edit = await withFileLock(profile, async () => {
    const current = (await readProfileText(profile)) ?? ''
    const removal = removeAccount(current, profile, name)
    await writeProfile(profile, removal.text)
    return removal
  })

  const ref = account.credential_ref ?? account.name
  const sharedWith = profileAccounts(edit.text, profile).find((other) => (other.credential_ref ?? other.name) === ref)
  let removed: string | null = null
  let keptReason: string | null = null
  if (options.keepCredentials) keptReason = '--keep-credentials'
  else if (sharedWith) keptReason = `account \`${sharedWith.name}\` uses it too`
  else if (await store.delete(ref)) removed = ref
  return {
    account: name,
    provider: account.provider,
    profile,
    removed_from_profile: true,
    credentials_removed: removed,
    credentials_kept_reason: keptReason,
  }
}

/** The human confirmation of a logout. */
export function describeLogout(result: LogoutResult, credentialsFile: string): string {
  const lines = result.removed_from_profile
    ? [`Removed account \`${result.account}\`${result.provider ? ` (${result.provider})` : ''} from ${result.profile}.`]
    : [`${result.profile} has no account \`${result.account}\`; only its stored secret was left.`]
  if (result.credentials_removed) lines.push(`Deleted its stored secret from ${credentialsFile}.`)
  else if (result.credentials_kept_reason)
    lines.push(`Kept its stored secret in ${credentialsFile} (${result.credentials_kept_reason}).`)
  return lines.join('\n')
}
