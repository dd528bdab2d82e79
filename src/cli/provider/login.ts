/**
 * `router provider login`: gathers what the flags did not say (asking only in a terminal), checks it, stores the
 * secret in the credentials file (or only an environment variable's name in the profile), and writes the account into
 * the profile. Nothing is written when anything fails, including `--verify`.
 */
import {getCatalog, getProvider, modelsOfProvider} from '../../core/catalog/index.js'
import type {Provider} from '../../core/catalog/schema.js'
import {qualifyAccountModels} from '../../core/config/account-models.js'
import {
  profileAccounts,
  readProfileText,
  upsertAccount,
  writeProfile,
  type AccountChange,
} from '../../core/config/profile-edit.js'
import {parseConfig} from '../../core/config/load.js'
import type {ProfileAccount} from '../../core/config/schema.js'
import {oauthCredentialEntry} from '../../core/credentials/oauth.js'
import {CredentialsStore} from '../../core/credentials/store.js'
import {ConfigError, UsageError} from '../../core/errors.js'
import {withFileLock} from '../../core/file-lock.js'
import {didYouMean, suggest} from '../../core/suggest.js'
import {signInWithChatGpt, type ChatGptTokens} from '../oauth/chatgpt-login.js'
import type {Prompter} from '../prompts.js'
import {verifyCredential} from './verify.js'

/** How the account signs in. */
export type LoginKind = 'apikey' | 'chatgpt'

/** Flags of `provider login`, as parsed. */
export interface LoginOptions {
  provider?: string
  kind?: LoginKind
  name?: string
  apikey?: string
  apikeyEnv?: string
  models?: string[]
  baseUrl?: string
  profile: string
  noBrowser: boolean
  verify: boolean
  oauth: {
    authUrl?: string
    tokenUrl?: string
    clientId?: string
    redirectPort?: number
    redirectUri?: string
    timeoutMs?: number
  }
}

/** Where the process's I/O goes; tests and the command give their own. */
export interface LoginContext {
  env: NodeJS.ProcessEnv
  /** Questions, or undefined when there is no terminal (then a missing flag is an error). */
  prompter?: Prompter
  /** Progress and warnings (stderr). */
  notice: (line: string) => void
  /** Terminal input for a pasted OAuth redirect (only in a terminal). */
  input?: NodeJS.ReadableStream
  fetch?: typeof fetch
  credentialsPath?: string
}

/** Where an account's secret lives, as `--json` reports it. */
export type SecretLocation = `env:${string}` | 'credentials-file' | 'none'

/** The `--json` result of `provider login` (stable keys). */
export interface LoginResult {
  account: string
  provider: string
  profile: string
  auth_mode: ProfileAccount['auth_mode']
  secret_location: SecretLocation
  models: string[]
  verified: boolean
  /** `added` or `updated`. */
  action: 'added' | 'updated'
  /** Whether the profile file was created by this login. */
  profile_created: boolean
  credentials_file: string | null
  /** Models the key can see (`--verify`), when the provider says. */
  verified_models: number | null
  /** ChatGPT sign-ins: the e-mail of the signed-in user, when the id token has it. */
  email?: string
  warnings: string[]
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Inline OAuth fields that a fresh sign-in replaces with the credentials file. */
const OAUTH_INLINE_FIELDS = [
  'oauth_access_token',
  'oauth_access_token_env',
  'oauth_refresh_token',
  'oauth_refresh_token_env',
  'oauth_expires_at',
  'oauth_expires_at_env',
] as const

/** Runs a login; returns what was done. */
export async function runLogin(options: LoginOptions, context: LoginContext): Promise<LoginResult> {
  const ask = context.prompter
  const warnings: string[] = []
  const warn = (message: string) => {
    warnings.push(message)
    context.notice(`Warning: ${message}`)
  }

  const provider = await chooseProvider(options, ask)
  const kind = await chooseKind(options, provider, ask)
  const accountProvider = kind === 'chatgpt' ? requireProvider('openai-codex') : provider
  if (kind === 'chatgpt' && (options.apikey !== undefined || options.apikeyEnv !== undefined)) {
    throw new UsageError('--apikey and --apikey-env do not apply to a ChatGPT sign-in (--kind chatgpt).', {
      hint: 'drop them to sign in with the browser, or use --kind apikey for an OpenAI API key',
    })
  }

  const existingText = await readProfileText(options.profile)
  checkProfileFirst(existingText, options.profile, context.env)
  const accounts = existingText === undefined ? [] : profileAccounts(existingText, options.profile)
  const name = await chooseName(options, accountProvider, kind, accounts, ask)
  const existing = accounts.find((account) => account.name === name)
  if (existing && existing.provider !== accountProvider.name) {
    throw new UsageError(
      `Account \`${name}\` in ${options.profile} is for provider ${existing.provider}, not ${accountProvider.name}.`,
      {
        hint: `pass another --name, or remove it first with \`router provider logout ${name}\``,
      },
    )
  }
  const credentialRef = existing?.credential_ref ?? name

  const baseUrl = await chooseBaseUrl(options, accountProvider, existing, ask)
  const store = new CredentialsStore({path: context.credentialsPath, env: context.env, onWarning: warn})

  const secret =
    kind === 'apikey'
      ? await chooseSecret(options, accountProvider, existing, credentialRef, store, context, ask)
      : undefined
  const models = await chooseModels(options, accountProvider, existing, ask)

  let verified = false
  let verifiedModels: number | null = null
  if (options.verify && kind === 'apikey') {
    const token =
      secret?.kind === 'inline' ? secret.key : secret?.kind === 'env' ? context.env[secret.variable] : undefined
    if (secret?.kind === 'env' && !token) {
      throw new UsageError(`--verify needs the key, but ${secret.variable} is not set in this environment.`, {
        hint: `export ${secret.variable}=… first, or log in without --verify`,
      })
    }
    if (secret?.kind === 'keep') {
      warn('--verify skipped: the key already stored for this account is kept and not re-checked')
    } else {
      const result = await verifyCredential({
        provider: accountProvider,
        baseUrl,
        token,
        source: secret?.kind === 'env' ? `$${secret.variable}` : '--apikey',
        fetch: context.fetch,
      })
      verified = true
      verifiedModels = result.models ?? null
      context.notice(
        `Verified: ${accountProvider.display_name} accepted the ${token ? 'key' : 'request'}${
          result.models === undefined ? '' : ` and lists ${result.models} model${result.models === 1 ? '' : 's'}`
        }.`,
      )
    }
  } else if (options.verify) {
    context.notice('--verify is not needed for a ChatGPT sign-in: the sign-in itself proves the account.')
  }

  // Build and validate the profile change before anything is stored.
  const remove: Array<keyof ProfileAccount> = []
  const change: AccountChange = {name, set: {provider: accountProvider.name}, remove}
  if (baseUrl !== undefined) change.set.base_url = baseUrl
  // No model ticked means every model: the key goes away rather than reading `models: []`.
  if (models !== undefined && models.length > 0) change.set.models = models
  else if (models !== undefined) remove.push('models')
  if (kind === 'chatgpt') {
    change.set.auth_mode = 'oauth'
    remove.push('api_key', 'api_key_env', ...OAUTH_INLINE_FIELDS)
  } else if (secret?.kind === 'env') {
    change.set.api_key_env = secret.variable
    remove.push('api_key', 'auth_mode', ...OAUTH_INLINE_FIELDS)
  } else if (secret?.kind === 'inline' || secret?.kind === 'none') {
    remove.push('api_key', 'api_key_env', 'auth_mode', ...OAUTH_INLINE_FIELDS)
  }
  const planned = planEdit(existingText, options.profile, change, context.env, name)
  for (const problem of planned.pending ?? []) warn(`the profile cannot serve requests yet: ${problem.message}`)

  let tokens: ChatGptTokens | undefined
  if (kind === 'chatgpt') {
    tokens = await signInWithChatGpt({
      authorizeUrl: options.oauth.authUrl,
      tokenUrl: options.oauth.tokenUrl,
      clientId: options.oauth.clientId,
      redirectPort: options.oauth.redirectPort,
      redirectUri: options.oauth.redirectUri,
      timeoutMs: options.oauth.timeoutMs,
      openBrowser: ask !== undefined && !options.noBrowser,
      acceptPaste: ask !== undefined && options.noBrowser,
      input: context.input,
      print: context.notice,
      fetch: context.fetch,
    })
    if (!tokens.accountId)
      warn('the sign-in did not say which ChatGPT account it is for; requests may be refused until you sign in again')
  }

  // Secrets first, then the profile: a profile never references a secret that was not saved.
  let secretLocation: SecretLocation = 'none'
  if (tokens) {
    await store.set(credentialRef, oauthCredentialEntry(tokens, accountProvider.name))
    secretLocation = 'credentials-file'
  } else if (secret?.kind === 'inline') {
    await store.set(credentialRef, {kind: 'api_key', provider: accountProvider.name, api_key: secret.key})
    secretLocation = 'credentials-file'
  } else if (secret?.kind === 'env') {
    secretLocation = `env:${secret.variable}`
  } else if (secret?.kind === 'keep') {
    secretLocation = secret.location
  }

  // Another login may have changed the profile meanwhile (prompts, the browser): edit what is there now.
  const written = await withFileLock(options.profile, async () => {
    const current = await readProfileText(options.profile)
    const final = current === existingText ? planned : planEdit(current, options.profile, change, context.env, name)
    await writeProfile(options.profile, final.text)
    return final
  })

  // A key that moved to an environment variable (or away) must not linger in the credentials file.
  if (secret?.kind === 'env' || secret?.kind === 'none') {
    const stillUsed = profileAccounts(written.text, options.profile).some(
      (account) => account.name !== name && (account.credential_ref ?? account.name) === credentialRef,
    )
    if (!stillUsed && (await store.delete(credentialRef)))
      context.notice(`Removed the key stored for \`${credentialRef}\` from ${store.path}.`)
  }

  return {
    account: name,
    provider: accountProvider.name,
    profile: options.profile,
    auth_mode: kind === 'chatgpt' ? 'oauth' : (written.account?.auth_mode ?? 'api_key'),
    secret_location: secretLocation,
    models: written.account?.models ?? [],
    verified,
    action: written.action === 'updated' ? 'updated' : 'added',
    profile_created: existingText === undefined,
    credentials_file: secretLocation === 'credentials-file' ? store.path : null,
    verified_models: verifiedModels,
    ...(tokens?.email ? {email: tokens.email} : {}),
    warnings,
  }
}

/** The human confirmation printed after a login. */
export function describeLogin(result: LoginResult): string {
  const where =
    result.secret_location === 'credentials-file'
      ? `the credentials file ${result.credentials_file}`
      : result.secret_location === 'none'
        ? 'nowhere (this provider needs no key)'
        : `environment variable ${result.secret_location.slice(4)} (only its name is in the profile)`
  const lines = [
    `${result.action === 'added' ? 'Added' : 'Updated'} account \`${result.account}\` (${result.provider}${
      result.auth_mode === 'oauth' ? `, ChatGPT sign-in${result.email ? ` as ${result.email}` : ''}` : ''
    }) in ${result.profile}${result.profile_created ? ' (new file)' : ''}.`,
    `  secret: ${where}`,
    `  models: ${result.models.length > 0 ? result.models.join(', ') : `any ${result.provider} model`}`,
  ]
  if (result.verified)
    lines.push(`  verified: yes${result.verified_models === null ? '' : ` (${result.verified_models} models visible)`}`)
  lines.push(`Next: router profile validate --config ${result.profile}`)
  return lines.join('\n')
}

/** What the secret of an API-key account will be. */
type SecretChoice =
  | {kind: 'inline'; key: string}
  | {kind: 'env'; variable: string}
  | {kind: 'none'}
  | {kind: 'keep'; location: SecretLocation}

function requireProvider(name: string): Provider {
  const provider = getProvider(name)
  if (!provider) throw new Error(`catalog: provider ${name} is missing`)
  return provider
}

async function chooseProvider(options: LoginOptions, ask: Prompter | undefined): Promise<Provider> {
  if (options.provider) {
    // `chatgpt` is what people call the ChatGPT sign-in.
    const name = options.provider === 'chatgpt' ? 'openai-codex' : options.provider
    const provider = getProvider(name)
    if (provider) return provider
    const names = getCatalog().providers.map((p) => p.name)
    const guess = didYouMean(suggest(options.provider, names))
    throw new UsageError(`Unknown provider \`${options.provider}\`${guess ? `; ${guess}` : '.'}`, {
      hint: `providers: ${names.join(', ')}`,
    })
  }
  if (!ask) {
    throw new UsageError('Missing the provider: pass it as the first argument, e.g. `router provider login openai`.', {
      hint: `providers: ${getCatalog()
        .providers.map((p) => p.name)
        .join(', ')}`,
    })
  }
  const name = await ask.select(
    'Which provider?',
    getCatalog().providers.map((p) => ({
      name: `${p.display_name} (${p.name})`,
      value: p.name,
      description: p.description,
    })),
  )
  return requireProvider(name)
}

async function chooseKind(options: LoginOptions, provider: Provider, ask: Prompter | undefined): Promise<LoginKind> {
  const canChatGpt = provider.name === 'openai' || provider.name === 'openai-codex'
  if (options.kind) {
    if (options.kind === 'chatgpt' && !canChatGpt) {
      throw new UsageError(`--kind chatgpt signs in to ChatGPT; it works with provider openai, not ${provider.name}.`, {
        hint: `use --kind apikey with ${provider.name}, or \`router provider login openai --kind chatgpt\``,
      })
    }
    return options.kind
  }
  if (provider.name === 'openai-codex') return 'chatgpt'
  if (provider.name === 'openai' && ask) {
    return ask.select<LoginKind>('How do you want to sign in?', [
      {name: 'API key (platform.openai.com, billed per token)', value: 'apikey'},
      {name: 'ChatGPT account (Plus/Pro/Team subscription, browser sign-in)', value: 'chatgpt'},
    ])
  }
  return 'apikey'
}

async function chooseName(
  options: LoginOptions,
  provider: Provider,
  kind: LoginKind,
  accounts: ProfileAccount[],
  ask: Prompter | undefined,
): Promise<string> {
  const base = kind === 'chatgpt' ? 'chatgpt' : provider.name
  let name = options.name
  if (name === undefined && ask) {
    const taken = new Set(accounts.map((account) => account.name))
    let suggestion = base
    for (let n = 2; taken.has(suggestion); n++) suggestion = `${base}-${n}`
    name = await ask.input('Account name (re-use an existing name to update it)', {
      default: suggestion,
      validate: (value) =>
        NAME_PATTERN.test(value.trim()) || 'letters, digits, ".", "_" and "-", starting with a letter or digit',
    })
    name = name.trim()
  }
  // Without a terminal, the default is the provider's name, so a repeated scripted login updates the same account.
  name ??= base
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(`Invalid --name \`${name}\`.`, {
      hint: 'use letters, digits, ".", "_" and "-", starting with a letter or digit',
    })
  }
  return name
}

async function chooseBaseUrl(
  options: LoginOptions,
  provider: Provider,
  existing: ProfileAccount | undefined,
  ask: Prompter | undefined,
): Promise<string | undefined> {
  let value = options.baseUrl
  if (value === undefined && ask && !provider.requires_key && existing?.base_url === undefined) {
    const answer = await ask.input(`Base URL of the ${provider.display_name}`, {
      default: provider.base_url,
      validate: (input) =>
        isHttpUrl(input.trim()) ? true : 'an http:// or https:// URL, e.g. http://localhost:8000/v1',
    })
    value = answer.trim() === provider.base_url ? undefined : answer.trim()
  }
  if (value === undefined) return undefined
  if (!isHttpUrl(value)) {
    throw new UsageError(`Invalid --base-url \`${value}\`.`, {
      hint: 'give an http:// or https:// URL, e.g. http://localhost:8000/v1',
    })
  }
  return value.replace(/\/+$/, '')
}

async function chooseSecret(
  options: LoginOptions,
  provider: Provider,
  existing: ProfileAccount | undefined,
  credentialRef: string,
  store: CredentialsStore,
  context: LoginContext,
  ask: Prompter | undefined,
): Promise<SecretChoice> {
  if (options.apikey !== undefined && options.apikeyEnv !== undefined) {
    throw new UsageError('Pass either --apikey or --apikey-env, not both.', {
      hint: '--apikey-env keeps the key out of every file',
    })
  }
  if (options.apikey !== undefined) {
    if (options.apikey.trim() === '')
      throw new UsageError('--apikey is empty.', {hint: 'pass the key, or --apikey-env VAR'})
    return {kind: 'inline', key: options.apikey.trim()}
  }
  if (options.apikeyEnv !== undefined) return envChoice(options.apikeyEnv, context, provider)

  if (!ask) {
    const kept = await currentSecret(existing, credentialRef, store)
    if (kept) return {kind: 'keep', location: kept}
    if (!provider.requires_key) return {kind: 'none'}
    const example = provider.api_key_env ?? 'MY_API_KEY'
    throw new UsageError(`Missing --apikey or --apikey-env: ${provider.display_name} needs a key.`, {
      hint: `pass --apikey-env ${example} (only the variable's name is saved) or --apikey KEY (saved to the credentials file)`,
    })
  }

  const conventional = provider.api_key_env
  if (conventional && context.env[conventional]) {
    const useEnv = await ask.confirm(`Use the key in $${conventional}? (only the variable's name is saved)`, true)
    if (useEnv) return {kind: 'env', variable: conventional}
  }
  const key = await ask.password(
    provider.requires_key
      ? `${provider.display_name} API key (hidden; saved to the credentials file, or leave empty to name an environment variable)`
      : `${provider.display_name} API key (optional; leave empty if the server needs none)`,
  )
  if (key.trim() !== '') return {kind: 'inline', key: key.trim()}
  if (!provider.requires_key) return {kind: 'none'}
  const variable = await ask.input('Environment variable that holds the key', {
    default: existing?.api_key_env ?? conventional,
    validate: (value) => ENV_NAME_PATTERN.test(value.trim()) || 'a variable name such as OPENAI_API_KEY',
  })
  return envChoice(variable.trim(), context, provider)
}

function envChoice(variable: string, context: LoginContext, provider: Provider): SecretChoice {
  if (!ENV_NAME_PATTERN.test(variable)) {
    throw new UsageError(`Invalid --apikey-env \`${variable}\`: it must be the name of an environment variable.`, {
      hint: `e.g. --apikey-env ${provider.api_key_env ?? 'MY_API_KEY'}; to save the key itself, use --apikey`,
    })
  }
  if (!context.env[variable]) {
    context.notice(`Note: ${variable} is not set in this shell; set it wherever \`router serve\` runs.`)
  }
  return {kind: 'env', variable}
}

/** The secret an existing account already has, if any (a scripted re-run that only changes models keeps it). */
async function currentSecret(
  existing: ProfileAccount | undefined,
  credentialRef: string,
  store: CredentialsStore,
): Promise<SecretLocation | undefined> {
  if (!existing) return undefined
  if (existing.api_key_env) return `env:${existing.api_key_env}`
  if ((await store.get(credentialRef))?.kind === 'api_key') return 'credentials-file'
  if (existing.api_key) {
    throw new ConfigError(`Account \`${existing.name}\` keeps its key inline in the profile.`, [], {
      code: 'inline_secret',
      hint: 'pass --apikey KEY to move it to the credentials file, or --apikey-env VAR',
    })
  }
  return undefined
}

async function chooseModels(
  options: LoginOptions,
  provider: Provider,
  existing: ProfileAccount | undefined,
  ask: Prompter | undefined,
): Promise<string[] | undefined> {
  if (options.models !== undefined && options.models.length > 0)
    return qualifyAccountModels(provider.name, options.models)
  const catalog = modelsOfProvider(provider.name)
  if (!ask || catalog.length === 0) return undefined
  const current = new Set(existing?.models ?? [])
  const picked = await ask.checkbox(
    `Models this account serves (space to toggle, enter to confirm; none = every ${provider.name} model)`,
    catalog.map((model) => ({
      name: model.key,
      value: model.key,
      description: model.description,
      checked: current.has(model.key),
    })),
  )
  return picked
}

/**
 * Problems already in the profile are reported with their own line numbers before any question is asked. The only
 * problem a login fixes, "no accounts", is let through.
 */
function checkProfileFirst(text: string | undefined, file: string, env: NodeJS.ProcessEnv): void {
  if (text === undefined || text.trim() === '') return
  try {
    parseConfig(text, file, {env})
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    if (error.problems.length > 0 && error.problems.every((problem) => problem.path === 'accounts')) return
    throw new ConfigError(
      `${file} has problems to fix before an account can be added; nothing was written.`,
      error.problems,
      {
        code: error.code,
        hint: error.hint,
      },
    )
  }
}

/** The profile edit, with problems re-worded so nobody thinks the file was changed. */
function planEdit(text: string | undefined, file: string, change: AccountChange, env: NodeJS.ProcessEnv, name: string) {
  try {
    return upsertAccount(text, file, change, {env})
  } catch (error) {
    if (error instanceof ConfigError && error.code === 'config_invalid') {
      // The lines of the edited text do not exist in the file: keep only the document paths.
      const problems = error.problems.map(({line: _line, column: _column, ...problem}) => problem)
      throw new ConfigError(
        `With account \`${name}\`, ${file} would not be a valid profile; nothing was written.`,
        problems,
        {
          hint: error.hint,
        },
      )
    }
    throw error
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}
