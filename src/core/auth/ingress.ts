/**
 * Ingress authentication, the pure part: what the settings ask for (`planIngressAuth`, which refuses a configuration
 * that cannot work), API key parsing and principals, and the JWT claim checks that are not signature checks.
 * The gateway (`src/gateway/ingress-auth.ts`) verifies keys and tokens per request. Documented in docs/gateway.md.
 */
import {createHash} from 'node:crypto'

import {ConfigError, type Problem} from '../errors.js'
import type {GatewaySettings} from '../settings/schema.js'

/** One accepted API key: the principal it authenticates and the SHA-256 of the key (the key itself is not kept). */
export interface IngressKey {
  principal: string
  digest: Buffer
}

/** How JWTs are verified. */
export interface OAuthPlan {
  /** `jwks`: asymmetric keys from `jwksUrl`; `secret`: HMAC with the shared `OAUTH_JWT_SECRET`. */
  mode: 'jwks' | 'secret'
  jwksUrl: string | null
  secret: string | null
  issuer: string | null
  audience: string | null
  algorithms: string[]
  requiredScopes: string[]
  clockToleranceSeconds: number
  jwksCooldownMs: number
  jwksCacheMaxAgeMs: number
  jwksTimeoutMs: number
}

/** The ingress auth the gateway enforces. */
export interface IngressAuthPlan {
  /** Whether protected routes need credentials at all. */
  required: boolean
  keys: IngressKey[]
  oauth: OAuthPlan | null
  /** `/metrics` is protected too. */
  metrics: boolean
  /** Things that work but are probably not what the operator meant. */
  warnings: string[]
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/
const ASYMMETRIC = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
])
const SYMMETRIC = new Set(['HS256', 'HS384', 'HS512'])
/** Shorter keys are accepted with a warning. */
const WEAK_KEY_LENGTH = 16

/** SHA-256 of a key or token, the form in which keys are compared (in constant time) and kept. */
export function keyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest()
}

/**
 * Parses `INGRESS_API_KEYS` entries. `name:key` names the principal (`name` is letters, digits, `.`, `_`, `@`, `-`,
 * up to 64, starting with a letter or digit); a bare key's principal is `key-` and the first 4 hex characters of its
 * SHA-256. A key that itself contains `:` must therefore be written with a name.
 */
export function parseIngressKeys(entries: readonly string[]): {
  keys: IngressKey[]
  problems: Problem[]
  weak: string[]
} {
  const keys: IngressKey[] = []
  const problems: Problem[] = []
  const weak: string[] = []
  const principals = new Set<string>()
  const digests = new Set<string>()
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':')
    const named = colon > 0 && KEY_NAME.test(entry.slice(0, colon)) && colon < entry.length - 1
    const key = named ? entry.slice(colon + 1) : entry
    const digest = keyDigest(key)
    const hex = digest.toString('hex')
    const principal = named ? entry.slice(0, colon) : `key-${hex.slice(0, 4)}`
    const where = `INGRESS_API_KEYS (entry ${index + 1})`
    if (digests.has(hex)) {
      problems.push({path: where, message: 'the same key is listed twice', hint: 'list each key once'})
      return
    }
    if (principals.has(principal)) {
      problems.push({
        path: where,
        message: `two keys have the principal "${principal}"`,
        hint: named ? 'give each key its own name' : 'name the keys: INGRESS_API_KEYS=ci:KEY1,alice:KEY2',
      })
      return
    }
    digests.add(hex)
    principals.add(principal)
    if (key.length < WEAK_KEY_LENGTH) weak.push(principal)
    keys.push({principal, digest})
  })
  return {keys, problems, weak}
}

/**
 * What the settings ask for. Throws a `ConfigError` naming the variables when auth is required but cannot work
 * (no keys and no OAuth, OAuth without a key source, an algorithm list that allows `none` or mixes key types).
 */
export function planIngressAuth(settings: GatewaySettings, managed: readonly IngressKey[] = []): IngressAuthPlan {
  const problems: Problem[] = []
  const warnings: string[] = []
  const parsed = parseIngressKeys(settings.ingress_api_keys)
  problems.push(...parsed.problems)
  for (const key of managed) {
    if (parsed.keys.some((k) => k.principal === key.principal)) {
      problems.push({
        path: 'INGRESS_API_KEYS',
        message: `the principal "${key.principal}" is also a managed key (${settings.keys_file})`,
        hint: 'give the INGRESS_API_KEYS entry another name',
      })
    }
  }
  parsed.keys.push(...managed)
  if (parsed.weak.length > 0) {
    warnings.push(
      `INGRESS_API_KEYS: ${parsed.weak.join(', ')} ${parsed.weak.length === 1 ? 'is' : 'are'} shorter than ${WEAK_KEY_LENGTH} characters; use long random keys (e.g. openssl rand -hex 24)`,
    )
  }
  const oauth = settings.oauth_enabled ? planOAuth(settings, problems, warnings) : null

  if (settings.ingress_auth_required && parsed.keys.length === 0 && !settings.oauth_enabled) {
    problems.push({
      path: 'INGRESS_AUTH_REQUIRED',
      message: 'ingress auth is required but no credential is configured',
      hint: 'create a key with `router keys create --name NAME`, set INGRESS_API_KEYS (e.g. INGRESS_API_KEYS=ci:LONG_RANDOM_KEY), or OAUTH_ENABLED=true with OAUTH_ISSUER (or OAUTH_JWKS_URL, or OAUTH_JWT_SECRET), or unset INGRESS_AUTH_REQUIRED',
    })
  }
  if (settings.metrics_auth_required && !settings.ingress_auth_required) {
    problems.push({
      path: 'METRICS_AUTH_REQUIRED',
      message: '/metrics cannot require credentials while ingress auth is off',
      hint: 'set INGRESS_AUTH_REQUIRED=true with INGRESS_API_KEYS or OAuth, or unset METRICS_AUTH_REQUIRED',
    })
  }
  if (problems.length > 0) {
    throw new ConfigError('Ingress authentication is misconfigured', problems, {
      code: 'ingress_auth_invalid',
      hint: 'see "Ingress authentication" in docs/gateway.md',
    })
  }
  if (!settings.ingress_auth_required && (parsed.keys.length > 0 || settings.oauth_enabled)) {
    warnings.push(
      `${parsed.keys.length > 0 ? (managed.length > 0 ? `${settings.keys_file} has keys` : 'INGRESS_API_KEYS is set') : 'OAUTH_ENABLED is set'} but INGRESS_AUTH_REQUIRED is not true: requests are NOT authenticated; set INGRESS_AUTH_REQUIRED=true to enforce it`,
    )
  }
  return {
    required: settings.ingress_auth_required,
    keys: parsed.keys,
    oauth: settings.ingress_auth_required ? oauth : null,
    metrics: settings.metrics_auth_required,
    warnings,
  }
}

function planOAuth(settings: GatewaySettings, problems: Problem[], warnings: string[]): OAuthPlan | null {
  const secret = settings.oauth_jwt_secret ?? null
  const issuer = settings.oauth_issuer ?? null
  const listed = settings.oauth_algorithms
  if (listed.some((alg) => alg.toLowerCase() === 'none')) {
    problems.push({
      path: 'OAUTH_ALGORITHMS',
      message: '"none" (unsigned tokens) is never accepted',
      hint: 'remove none from OAUTH_ALGORITHMS',
    })
  }
  const unknown = listed.filter((alg) => alg.toLowerCase() !== 'none' && !ASYMMETRIC.has(alg) && !SYMMETRIC.has(alg))
  if (unknown.length > 0) {
    problems.push({
      path: 'OAUTH_ALGORITHMS',
      message: `unknown algorithm${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}`,
      hint: `use JWS names such as RS256, PS256, ES256, EdDSA (with a JWKS) or HS256 (with OAUTH_JWT_SECRET)`,
    })
  }
  const common = {
    issuer,
    audience: settings.oauth_audience ?? null,
    requiredScopes: settings.oauth_required_scopes,
    clockToleranceSeconds: settings.oauth_clock_skew_seconds,
    jwksCooldownMs: Math.round(settings.oauth_jwks_cooldown_seconds * 1000),
    jwksCacheMaxAgeMs: Math.round(settings.oauth_jwks_cache_seconds * 1000),
    jwksTimeoutMs: Math.round(settings.oauth_jwks_timeout_seconds * 1000),
  }
  if (secret !== null) {
    if (settings.oauth_jwks_url) {
      problems.push({
        path: 'OAUTH_JWT_SECRET',
        message: 'both OAUTH_JWT_SECRET and OAUTH_JWKS_URL are set',
        hint: 'use one key source: unset OAUTH_JWKS_URL for HS256 tokens, or OAUTH_JWT_SECRET for tokens signed by your identity provider',
      })
      return null
    }
    // With a shared secret only HMAC algorithms make sense; the RS256 default does not apply.
    const hmac = listed.filter((alg) => SYMMETRIC.has(alg))
    if (secret.length < 32)
      warnings.push(
        'OAUTH_JWT_SECRET is shorter than 32 characters; HS256 secrets should be at least 256 bits of randomness',
      )
    if (!issuer) warnings.push('OAUTH_ISSUER is not set: the `iss` claim of tokens is not checked')
    if (!settings.oauth_audience) warnings.push('OAUTH_AUDIENCE is not set: the `aud` claim of tokens is not checked')
    return {mode: 'secret', jwksUrl: null, secret, algorithms: hmac.length > 0 ? hmac : ['HS256'], ...common}
  }
  const hmacListed = listed.filter((alg) => SYMMETRIC.has(alg))
  if (hmacListed.length > 0) {
    problems.push({
      path: 'OAUTH_ALGORITHMS',
      message: `${hmacListed.join(', ')} need${hmacListed.length === 1 ? 's' : ''} a shared secret`,
      hint: 'set OAUTH_JWT_SECRET for HMAC tokens, or list only asymmetric algorithms (RS256, ES256, …) for a JWKS',
    })
  }
  const jwksUrl = settings.oauth_jwks_url ?? (issuer ? defaultJwksUrl(issuer) : null)
  if (jwksUrl === null) {
    problems.push({
      path: 'OAUTH_ENABLED',
      message: 'OAuth is enabled but no key source is configured',
      hint: 'set OAUTH_ISSUER (its /.well-known/jwks.json is used), OAUTH_JWKS_URL, or OAUTH_JWT_SECRET for HS256 tokens',
    })
    return null
  }
  if (issuer === null) {
    warnings.push('OAUTH_ISSUER is not set: the `iss` claim of tokens is not checked')
  } else if (!settings.oauth_jwks_url && !URL.canParse(jwksUrl)) {
    problems.push({
      path: 'OAUTH_ISSUER',
      message: `"${issuer}" is not a URL, so no JWKS URL can be derived from it`,
      hint: 'set OAUTH_ISSUER to the issuer URL, or set OAUTH_JWKS_URL',
    })
    return null
  }
  if (!settings.oauth_audience) warnings.push('OAUTH_AUDIENCE is not set: the `aud` claim of tokens is not checked')
  const algorithms = listed.filter((alg) => ASYMMETRIC.has(alg))
  return {mode: 'jwks', jwksUrl, secret: null, algorithms: algorithms.length > 0 ? algorithms : ['RS256'], ...common}
}

/** `https://idp.example.com/realms/x` → `https://idp.example.com/realms/x/.well-known/jwks.json`. */
export function defaultJwksUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`
}

/** The scopes a token grants: the `scope` claim (space-separated, RFC 8693) or the `scp` claim (array or string). */
export function tokenScopes(payload: Record<string, unknown>): Set<string> {
  const scopes = new Set<string>()
  for (const claim of [payload.scope, payload.scp]) {
    const values: unknown[] = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : []
    for (const scope of values) if (typeof scope === 'string' && scope !== '') scopes.add(scope)
  }
  return scopes
}

/** Whether the token grants every required scope. */
export function hasScopes(payload: Record<string, unknown>, required: readonly string[]): boolean {
  if (required.length === 0) return true
  const granted = tokenScopes(payload)
  return required.every((scope) => granted.has(scope))
}

/** The principal of a verified token: `sub`, else the OAuth client (`client_id`, `azp`), else null (rejected). */
export function tokenPrincipal(payload: Record<string, unknown>): string | null {
  for (const claim of [payload.sub, payload.client_id, payload.azp]) {
    if (typeof claim === 'string' && claim.length > 0) return claim
  }
  return null
}
