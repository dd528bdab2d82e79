/**
 * Credential resolution for upstream requests: which token an account sends, refreshed when it is about to expire.
 *
 * Order per `auth_mode`:
 * - `passthrough`: the client's own bearer token.
 * - `api_key`: the `api_key_env` variable's value, else the inline `api_key`, else the credentials file entry
 *   (`credential_ref`, default the account name). A provider that needs no key (ollama, openai-compatible) gets
 *   `{token: null}`: send no Authorization header.
 * - `oauth`: the freshest of the account's `oauth_*` fields (or their `_env` variables), the credentials file and the
 *   tokens refreshed in this process. Within five minutes of expiry the token is refreshed (one refresh per account at
 *   a time; concurrent requests share it), saved to the credentials file, and kept in memory.
 *
 * `resolve` returns `null` only when the account has no usable credential; an `onEvent` call (`missing` or
 * `refresh_failed`) then says why, and the gateway skips the account. Secrets never appear in event messages.
 */
import {getProvider} from '../core/catalog/index.js'
import type {Account} from '../core/config/schema.js'
import {
  CHATGPT_OAUTH,
  REFRESH_MARGIN_MS,
  buildRefreshRequest,
  chatGptAccountId,
  jwtClaims,
  oauthCredentialEntry,
  parseTokenResponse,
  tokenExpiry,
  type OAuthTokens,
} from '../core/credentials/oauth.js'
import type {CredentialEntry, CredentialsFile, OAuthCredential} from '../core/credentials/schema.js'
import {CredentialsStore, emptyCredentialsFile} from '../core/credentials/store.js'
import {fetchFailureReason} from '../core/fetch-failure.js'
import type {Credential} from './adapters/types.js'

/** What happened to an account's credential, for the audit stream. */
export interface CredentialEvent {
  account: string
  kind: 'refreshed' | 'refresh_failed' | 'missing'
  message: string
}

/** Resolves the credential of one upstream attempt. */
export interface CredentialResolver {
  /**
   * The credential for `account`; `clientAuthorization` is the client's `Authorization` header (for passthrough).
   * `null` means no usable credential (an event says why); `{token: null}` means none is needed.
   */
  resolve(account: Account, clientAuthorization?: string): Promise<Credential | null>
}

export interface CredentialResolverOptions {
  env?: NodeJS.ProcessEnv
  /** Credentials file; default `ROUTER_CREDENTIALS_PATH` or the user's config directory. */
  storePath?: string
  fetch?: typeof fetch
  now?: () => number
  onEvent?: (event: CredentialEvent) => void
  /** How often the cached credentials file is checked for changes by other processes (default 1 s). */
  storeRecheckMs?: number
  /** Time limit of one refresh request (default 15 s). */
  refreshTimeoutMs?: number
  /** After a failed refresh, how long to wait before trying again (default 30 s). */
  refreshRetryMs?: number
}

/** A token must stay valid at least this long to be used after a failed refresh. */
const MIN_REMAINING_MS = 30_000

/** Builds a resolver; cheap per request (no file read per request: the credentials file is cached). */
export function createCredentialResolver(options: CredentialResolverOptions = {}): CredentialResolver {
  const env = options.env ?? process.env
  const fetchImpl = options.fetch ?? fetch
  const now = options.now ?? Date.now
  const emit = options.onEvent ?? (() => {})
  const recheckMs = options.storeRecheckMs ?? 1000
  const refreshTimeoutMs = options.refreshTimeoutMs ?? 15_000
  const refreshRetryMs = options.refreshRetryMs ?? 30_000
  const store = new CredentialsStore({path: options.storePath, env})

  let cachedFile: CredentialsFile | undefined
  let cachedMtime: number | undefined
  let checkedAt = -Infinity
  let storeError: string | undefined
  const oauth = new Map<string, OAuthTokens>()
  const inflight = new Map<string, Promise<OAuthTokens>>()
  const failures = new Map<string, {until: number; message: string}>()

  /** The credentials file, re-read only when its modification time changed (checked at most every `recheckMs`). */
  async function storeFile(force = false): Promise<CredentialsFile> {
    if (!force && cachedFile && Date.now() - checkedAt < recheckMs) return cachedFile
    checkedAt = Date.now()
    try {
      const mtime = await store.mtimeMs()
      if (force || !cachedFile || mtime !== cachedMtime) {
        const snapshot = await store.snapshot()
        cachedFile = snapshot.file
        cachedMtime = snapshot.mtimeMs
      }
      storeError = undefined
    } catch (error) {
      // A broken file must not take the gateway down: accounts that need it are skipped with this message.
      storeError = error instanceof Error ? error.message : String(error)
      cachedFile ??= emptyCredentialsFile()
    }
    return cachedFile
  }

  function entryOf(file: CredentialsFile, ref: string): CredentialEntry | undefined {
    return Object.hasOwn(file.entries, ref) ? file.entries[ref] : undefined
  }

  function missing(account: Account, message: string): null {
    emit({account: account.name, kind: 'missing', message: storeError ? `${message} (${storeError})` : message})
    return null
  }

  /**
   * The credential an environment variable holds, read again at most every `recheckMs`: reading `process.env` costs
   * about half a microsecond (a call into the C++ side), and every request resolves its account's key.
   */
  const fromEnv = new Map<string, {credential: Credential | null; readAt: number}>()
  function envCredential(name: string): Credential | null {
    const at = now()
    const cached = fromEnv.get(name)
    if (cached !== undefined && at - cached.readAt < recheckMs) return cached.credential
    const value = env[name]
    const credential = value ? {token: value} : null
    fromEnv.set(name, {credential, readAt: at})
    return credential
  }

  async function resolveApiKey(account: Account): Promise<Credential | null> {
    if (account.api_key_env) {
      const credential = envCredential(account.api_key_env)
      if (credential !== null) return credential
    }
    if (account.api_key) return {token: account.api_key}
    const ref = account.credential_ref ?? account.name
    const entry = entryOf(await storeFile(), ref)
    if (entry?.kind === 'api_key') return {token: entry.api_key}
    if (entry?.kind === 'oauth') return resolveOAuth(account)
    if (getProvider(account.provider)?.requires_key === false) return {token: null}
    const where = account.api_key_env
      ? `environment variable ${account.api_key_env} is not set and the credentials file has no entry "${ref}"`
      : `no api_key_env, api_key or credentials file entry "${ref}"`
    return missing(account, `account ${account.name} has no API key: ${where}`)
  }

  /** OAuth tokens from the account's own fields (or their `_env` variables). */
  function fromAccountFields(account: Account): OAuthTokens | undefined {
    const accessToken = account.oauth_access_token ?? envValue(account.oauth_access_token_env)
    if (!accessToken) return undefined
    const expiresRaw = account.oauth_expires_at ?? numberOrUndefined(envValue(account.oauth_expires_at_env))
    const exp = jwtClaims(accessToken)?.exp
    return {
      accessToken,
      refreshToken: account.oauth_refresh_token ?? envValue(account.oauth_refresh_token_env),
      expiresAt: expiresRaw ?? (typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY),
      accountId: accountIdOverride(account),
      tokenUrl: account.oauth_token_url ?? CHATGPT_OAUTH.tokenUrl,
      clientId: account.oauth_client_id ?? envValue(account.oauth_client_id_env) ?? CHATGPT_OAUTH.clientId,
    }
  }

  function fromStoreEntry(account: Account, entry: OAuthCredential): OAuthTokens {
    return {
      accessToken: entry.access_token,
      refreshToken: entry.refresh_token,
      idToken: entry.id_token,
      expiresAt: entry.expires_at,
      accountId: accountIdOverride(account) ?? entry.account_id,
      tokenUrl: account.oauth_token_url ?? entry.token_url,
      clientId: account.oauth_client_id ?? envValue(account.oauth_client_id_env) ?? entry.client_id,
    }
  }

  function accountIdOverride(account: Account): string | undefined {
    return account.oauth_account_id ?? envValue(account.oauth_account_id_env)
  }

  function envValue(name: string | undefined): string | undefined {
    return name ? env[name] || undefined : undefined
  }

  /** The freshest tokens among memory, the credentials file and the account's fields. */
  async function currentOAuth(account: Account, ref: string, forceStore = false): Promise<OAuthTokens | undefined> {
    const candidates: OAuthTokens[] = []
    const known = oauth.get(ref)
    if (known) candidates.push(known)
    const entry = entryOf(await storeFile(forceStore), ref)
    if (entry?.kind === 'oauth') candidates.push(fromStoreEntry(account, entry))
    const fields = fromAccountFields(account)
    if (fields) candidates.push(fields)
    if (candidates.length === 0) return undefined
    const best = candidates.reduce((a, b) => (b.expiresAt > a.expiresAt ? b : a))
    oauth.set(ref, best)
    return best
  }

  function credentialOf(state: OAuthTokens): Credential {
    const accountId = state.accountId ?? chatGptAccountId(state.idToken, state.accessToken)
    return accountId ? {token: state.accessToken, accountId} : {token: state.accessToken}
  }

  async function resolveOAuth(account: Account): Promise<Credential | null> {
    const ref = account.credential_ref ?? account.name
    const state = await currentOAuth(account, ref)
    if (!state) {
      return missing(
        account,
        `account ${account.name} has no OAuth tokens: sign in with \`router provider login openai --kind chatgpt --name ${account.name}\``,
      )
    }
    if (state.expiresAt - now() > REFRESH_MARGIN_MS) return credentialOf(state)
    try {
      return credentialOf(await refreshOnce(account, ref, state))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      const remaining = state.expiresAt - now()
      if (remaining > MIN_REMAINING_MS) {
        emit({
          account: account.name,
          kind: 'refresh_failed',
          message: `token refresh failed (${reason}); using the current token, valid for ${Math.round(remaining / 1000)} s more`,
        })
        return credentialOf(state)
      }
      emit({
        account: account.name,
        kind: 'refresh_failed',
        message: `the access token expired and refresh failed: ${reason}`,
      })
      return null
    }
  }

  /** Single flight: concurrent requests for one credential share one refresh. */
  function refreshOnce(account: Account, ref: string, state: OAuthTokens): Promise<OAuthTokens> {
    let pending = inflight.get(ref)
    if (!pending) {
      pending = refresh(account, ref, state).finally(() => inflight.delete(ref))
      inflight.set(ref, pending)
    }
    return pending
  }

  async function refresh(account: Account, ref: string, stale: OAuthTokens): Promise<OAuthTokens> {
    // Another process (a second gateway, a new sign-in) may have refreshed already: refresh tokens are single-use.
    const latest = (await currentOAuth(account, ref, true)) ?? stale
    if (latest.expiresAt - now() > REFRESH_MARGIN_MS) return latest
    const failure = failures.get(ref)
    if (failure && now() < failure.until) throw new Error(failure.message)
    if (!latest.refreshToken) {
      throw new Error(
        `no refresh token; sign in again with \`router provider login openai --kind chatgpt --name ${account.name}\``,
      )
    }
    let next: OAuthTokens
    try {
      const request = buildRefreshRequest({
        tokenUrl: latest.tokenUrl,
        clientId: latest.clientId,
        refreshToken: latest.refreshToken,
      })
      let response: Response
      try {
        response = await fetchImpl(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(refreshTimeoutMs),
        })
      } catch (error) {
        throw new Error(`cannot reach ${new URL(request.url).origin}: ${fetchFailureReason(error, refreshTimeoutMs)}`)
      }
      const tokens = parseTokenResponse(response.status, await response.text())
      const issuedAt = now()
      next = Object.assign({}, latest, {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token ?? latest.refreshToken,
        idToken: tokens.id_token ?? latest.idToken,
        expiresAt: tokenExpiry(tokens, issuedAt),
        accountId:
          accountIdOverride(account) ?? chatGptAccountId(tokens.id_token, tokens.access_token) ?? latest.accountId,
      })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      failures.set(ref, {until: now() + refreshRetryMs, message})
      throw error
    }
    failures.delete(ref)
    oauth.set(ref, next)
    const saved = await persist(ref, account, next)
    emit({
      account: account.name,
      kind: 'refreshed',
      message: `access token refreshed, valid until ${new Date(next.expiresAt).toISOString()}${saved}`,
    })
    return next
  }

  /** Saves refreshed tokens; returns a note for the event when that failed (the tokens still work in memory). */
  async function persist(ref: string, account: Account, state: OAuthTokens): Promise<string> {
    try {
      await store.update((file) => {
        const previous = entryOf(file, ref)
        const stamp = new Date(now()).toISOString()
        file.entries[ref] = Object.assign(oauthCredentialEntry(state, previous?.provider ?? account.provider), {
          created_at: previous?.created_at ?? stamp,
          updated_at: stamp,
        })
      })
      await storeFile(true)
      return ''
    } catch (error) {
      return `; not saved to ${store.path}: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  return {
    async resolve(account, clientAuthorization) {
      switch (account.auth_mode) {
        case 'passthrough': {
          const token = bearerToken(clientAuthorization)
          if (!token)
            return missing(
              account,
              `account ${account.name} passes the client's token through, but the request has no bearer token`,
            )
          const accountId = accountIdOverride(account)
          return accountId ? {token, accountId} : {token}
        }
        case 'oauth':
          return resolveOAuth(account)
        default:
          return resolveApiKey(account)
      }
    },
  }
}

/** `Bearer abc` → `abc`. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S.*)$/i.exec(header.trim()) : null
  return match ? match[1].trim() : undefined
}

function numberOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  return Number.isFinite(number) ? number : undefined
}
