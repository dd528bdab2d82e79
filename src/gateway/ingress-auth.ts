/**
 * Ingress authentication: `Authorization: Bearer <API key or JWT>` on every route except `/health` (and `/metrics`
 * unless `METRICS_AUTH_REQUIRED`). API keys are compared as SHA-256 digests with `timingSafeEqual`; JWTs are verified
 * with `jose` against a remote JWKS (cached, fetched again on an unknown `kid` for key rotation) or a shared HMAC
 * secret, with the algorithms, issuer, audience, clock tolerance and scopes of the plan (`core/auth/ingress.ts`).
 *
 * Every refusal is the same 401 for the client, whatever check failed; the audit event of the rejected request says
 * which (`error_code`, e.g. `auth_expired`), for the operator. A JWKS that cannot be fetched is a 503: the token may
 * be fine, the gateway cannot tell.
 *
 * Verifying an RS256 signature costs far more than the rest of a request's auth, so a verified token is remembered
 * (by its SHA-256, never the token itself) until it expires, for at most a minute, up to 1024 tokens.
 *
 * `jose` is loaded only when OAuth is on (`IngressAuthenticator.create`): a gateway with API keys alone, or with no
 * ingress auth, does not pay its memory.
 */
import {timingSafeEqual} from 'node:crypto'
import type {JWTPayload, JWTVerifyGetKey, JWTVerifyOptions} from 'jose'

import {hasScopes, keyDigest, tokenPrincipal, type IngressAuthPlan, type IngressKey} from '../core/auth/ingress.js'
import {ERRORS} from './errors.js'

/** Why a credential was refused: recorded as the audit event's `error_code`, never told to the client. */
export type AuthFailure =
  | 'auth_missing'
  | 'auth_malformed'
  | 'auth_unknown_key'
  | 'auth_bad_token'
  | 'auth_bad_signature'
  | 'auth_algorithm'
  | 'auth_expired'
  | 'auth_not_yet_valid'
  | 'auth_issuer'
  | 'auth_audience'
  | 'auth_claims'
  | 'auth_scope'
  | 'auth_no_subject'
  | 'auth_unknown_kid'
  | 'auth_unavailable'

/** Verified tokens remembered at most, and for at most this long (a key removed from the JWKS stops working by then). */
const VERIFIED_CACHE_SIZE = 1024
const VERIFIED_CACHE_MS = 60_000

type Jose = typeof import('jose')

/** Verifies the credentials of one request; built once per gateway from the plan. */
export class IngressAuthenticator {
  /** Builds the authenticator of a plan, loading `jose` when the plan verifies tokens. */
  static async create(plan: IngressAuthPlan): Promise<IngressAuthenticator> {
    return new IngressAuthenticator(plan, plan.oauth ? await import('jose') : undefined)
  }

  private keys: IngressKey[]
  private readonly getKey: JWTVerifyGetKey | Uint8Array | null
  private readonly verifyOptions: JWTVerifyOptions
  private readonly requiredScopes: readonly string[]
  private readonly openMetrics: boolean
  private readonly verified = new Map<string, {principal: string; until: number}>()

  /** `jose` is required when the plan has OAuth (`create` loads it). */
  constructor(
    plan: IngressAuthPlan,
    private readonly jose?: Jose,
  ) {
    this.keys = plan.keys
    this.openMetrics = !plan.metrics
    const oauth = plan.oauth
    this.requiredScopes = oauth?.requiredScopes ?? []
    this.verifyOptions = {
      algorithms: oauth?.algorithms,
      clockTolerance: oauth?.clockToleranceSeconds ?? 0,
      // A token that never expires is not accepted.
      requiredClaims: ['exp'],
      issuer: oauth?.issuer ? oauth.issuer : undefined,
      audience: oauth?.audience ? oauth.audience : undefined,
    }
    if (!oauth) this.getKey = null
    else if (!jose)
      throw new Error('IngressAuthenticator: OAuth needs the jose module (use IngressAuthenticator.create)')
    else if (oauth.mode === 'secret') this.getKey = new TextEncoder().encode(oauth.secret ?? '')
    else {
      this.getKey = jose.createRemoteJWKSet(new URL(oauth.jwksUrl!), {
        cooldownDuration: oauth.jwksCooldownMs,
        cacheMaxAge: oauth.jwksCacheMaxAgeMs,
        timeoutDuration: oauth.jwksTimeoutMs,
      })
    }
  }

  /** Replaces the accepted API keys (the managed keys file changed: a key was created or revoked). */
  setKeys(keys: IngressKey[]): void {
    this.keys = keys
  }

  /** Whether a request to this URL (path and query, as received) must authenticate. Deny by default. */
  protects(url: string): boolean {
    const end = url.indexOf('?')
    const path = end === -1 ? url : url.slice(0, end)
    if (path === '/health') return false
    if (path === '/metrics') return !this.openMetrics
    return true
  }

  /** The principal of a valid `Authorization` header; throws the `credentialsRefused` error otherwise. */
  async authenticate(authorization: string | undefined): Promise<string> {
    const token = bearer(authorization)
    const digest = keyDigest(token)
    // Every key is compared, match or not, so the time taken says nothing about which key is close.
    let principal: string | undefined
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest) && principal === undefined) principal = key.principal
    }
    if (principal !== undefined) return principal
    if (this.getKey === null || !looksLikeJwt(token))
      throw ERRORS.credentialsRefused(this.getKey === null ? 'auth_unknown_key' : 'auth_malformed')
    const cacheKey = digest.toString('base64')
    const cached = this.verified.get(cacheKey)
    if (cached !== undefined) {
      if (cached.until > Date.now()) return cached.principal
      this.verified.delete(cacheKey)
    }
    return this.verifyJwt(token, cacheKey)
  }

  private async verifyJwt(token: string, cacheKey: string): Promise<string> {
    // Only reached with a key source, which the constructor builds only with jose.
    const jose = this.jose!
    let payload: JWTPayload
    try {
      const result =
        this.getKey instanceof Uint8Array
          ? await jose.jwtVerify(token, this.getKey, this.verifyOptions)
          : await jose.jwtVerify(token, this.getKey as JWTVerifyGetKey, this.verifyOptions)
      payload = result.payload
    } catch (error) {
      throw ERRORS.credentialsRefused(failureOf(error, jose.errors))
    }
    if (!hasScopes(payload, this.requiredScopes)) throw ERRORS.credentialsRefused('auth_scope')
    const principal = tokenPrincipal(payload)
    if (principal === null) throw ERRORS.credentialsRefused('auth_no_subject')
    const until = Math.min((payload.exp ?? 0) * 1000, Date.now() + VERIFIED_CACHE_MS)
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!)
    this.verified.set(cacheKey, {principal, until})
    return principal
  }
}

/** The token of `Bearer <token>` (scheme case-insensitive, RFC 7235). */
function bearer(authorization: string | undefined): string {
  if (authorization === undefined || authorization.length < 8) throw ERRORS.credentialsRefused('auth_missing')
  if (authorization.slice(0, 7).toLowerCase() !== 'bearer ') throw ERRORS.credentialsRefused('auth_missing')
  const token = authorization.slice(7).trim()
  if (token.length === 0) throw ERRORS.credentialsRefused('auth_missing')
  return token
}

function looksLikeJwt(token: string): boolean {
  const first = token.indexOf('.')
  return first > 0 && token.indexOf('.', first + 1) > first + 1
}

/** jose's error → why the token was refused (or that the keys could not be fetched). */
function failureOf(error: unknown, errors: Jose['errors']): AuthFailure {
  if (error instanceof errors.JWTExpired) return 'auth_expired'
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return 'auth_not_yet_valid'
    if (error.claim === 'iss') return 'auth_issuer'
    if (error.claim === 'aud') return 'auth_audience'
    return 'auth_claims'
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'auth_algorithm'
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'auth_bad_signature'
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'auth_unknown_kid'
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JWKInvalid)
    return 'auth_bad_token'
  // JWKS fetch failures: a timeout, an unusable answer, a refused connection.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'auth_unavailable'
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') return 'auth_unavailable'
  if (!(error instanceof errors.JOSEError)) return 'auth_unavailable'
  return 'auth_bad_token'
}
