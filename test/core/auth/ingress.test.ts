import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {
  defaultJwksUrl,
  hasScopes,
  parseIngressKeys,
  planIngressAuth,
  tokenPrincipal,
  tokenScopes,
} from '../../../src/core/auth/ingress.js'
import {ConfigError} from '../../../src/core/errors.js'
import {settingsFromEnv} from '../../../src/core/settings/env.js'

const plan = (env: Record<string, string>) => planIngressAuth(settingsFromEnv(env))

function refusal(env: Record<string, string>): ConfigError {
  try {
    plan(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('the plan was accepted')
}

describe('INGRESS_API_KEYS', () => {
  it('reads name:key entries and names bare keys by their digest', () => {
    const {keys, problems} = parseIngressKeys(['ci:secret-ci-key-123456', 'bare-key-abcdef123456'])
    expect(problems).toEqual([])
    expect(keys.map((k) => k.principal)).toEqual([
      'ci',
      `key-${createHash('sha256').update('bare-key-abcdef123456').digest('hex').slice(0, 4)}`,
    ])
    expect(keys[0].digest.equals(createHash('sha256').update('secret-ci-key-123456').digest())).toBe(true)
  })

  it('treats an entry whose prefix is not a valid name as a bare key (a key may contain colons when named)', () => {
    const {keys} = parseIngressKeys(['not a name:key-0123456789abcdef', 'svc:key:with:colons'])
    expect(keys[0].principal).toMatch(/^key-[0-9a-f]{4}$/)
    expect(keys[1].principal).toBe('svc')
  })

  it('refuses the same key twice and two keys with one name', () => {
    expect(parseIngressKeys(['a:k1-0000000000000000', 'b:k1-0000000000000000']).problems[0].message).toContain(
      'listed twice',
    )
    expect(parseIngressKeys(['a:k1-0000000000000000', 'a:k2-0000000000000000']).problems[0].message).toContain(
      'principal "a"',
    )
  })

  it('warns about short keys without naming the key', () => {
    const result = plan({INGRESS_AUTH_REQUIRED: 'true', INGRESS_API_KEYS: 'ci:short'})
    expect(result.warnings.join('\n')).toContain('ci is shorter than 16 characters')
    expect(result.warnings.join('\n')).not.toContain('short,')
  })
})

describe('planIngressAuth', () => {
  it('is off by default', () => {
    expect(plan({})).toMatchObject({required: false, keys: [], oauth: null, warnings: []})
  })

  it('warns when keys are set but auth is not required', () => {
    expect(plan({INGRESS_API_KEYS: 'ci:long-enough-key-123456'}).warnings[0]).toContain('NOT authenticated')
  })

  it('refuses auth required with no credential source', () => {
    const error = refusal({INGRESS_AUTH_REQUIRED: 'true'})
    expect(error.code).toBe('ingress_auth_invalid')
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0].path).toBe('INGRESS_AUTH_REQUIRED')
  })

  it('derives the JWKS URL from the issuer and defaults to RS256', () => {
    const result = plan({
      INGRESS_AUTH_REQUIRED: 'true',
      OAUTH_ENABLED: 'true',
      OAUTH_ISSUER: 'https://idp.example.com/realms/x/',
      OAUTH_AUDIENCE: 'router',
    })
    expect(result.oauth).toMatchObject({
      mode: 'jwks',
      jwksUrl: 'https://idp.example.com/realms/x/.well-known/jwks.json',
      algorithms: ['RS256'],
      audience: 'router',
      clockToleranceSeconds: 30,
    })
    expect(result.warnings).toEqual([])
  })

  it('warns when the issuer or the audience is not checked', () => {
    const result = plan({
      INGRESS_AUTH_REQUIRED: 'true',
      OAUTH_ENABLED: 'true',
      OAUTH_JWKS_URL: 'https://idp.example.com/keys',
    })
    expect(result.warnings.join('\n')).toMatch(/OAUTH_ISSUER is not set[\s\S]*OAUTH_AUDIENCE is not set/)
  })

  it('uses HMAC with a shared secret, whatever asymmetric default is listed', () => {
    const result = plan({
      INGRESS_AUTH_REQUIRED: 'true',
      OAUTH_ENABLED: 'true',
      OAUTH_JWT_SECRET: 'x'.repeat(40),
      OAUTH_ISSUER: 'me',
      OAUTH_AUDIENCE: 'router',
    })
    expect(result.oauth).toMatchObject({mode: 'secret', algorithms: ['HS256'], jwksUrl: null})
  })

  it('refuses a secret together with a JWKS URL, none, unknown algorithms and HMAC without a secret', () => {
    expect(
      refusal({
        INGRESS_AUTH_REQUIRED: 'true',
        OAUTH_ENABLED: 'true',
        OAUTH_JWT_SECRET: 'x'.repeat(40),
        OAUTH_JWKS_URL: 'https://idp/keys',
      }).problems[0].path,
    ).toBe('OAUTH_JWT_SECRET')
    expect(
      refusal({
        INGRESS_AUTH_REQUIRED: 'true',
        OAUTH_ENABLED: 'true',
        OAUTH_ISSUER: 'https://idp',
        OAUTH_ALGORITHMS: 'none',
      }).problems[0].message,
    ).toContain('never accepted')
    expect(
      refusal({
        INGRESS_AUTH_REQUIRED: 'true',
        OAUTH_ENABLED: 'true',
        OAUTH_ISSUER: 'https://idp',
        OAUTH_ALGORITHMS: 'RS257',
      }).problems[0].message,
    ).toContain('unknown algorithm RS257')
    expect(
      refusal({
        INGRESS_AUTH_REQUIRED: 'true',
        OAUTH_ENABLED: 'true',
        OAUTH_ISSUER: 'https://idp',
        OAUTH_ALGORITHMS: 'RS256,HS256',
      }).problems[0].message,
    ).toContain('HS256 needs a shared secret')
  })

  it('refuses an issuer that is not a URL when the JWKS URL has to come from it', () => {
    expect(
      refusal({INGRESS_AUTH_REQUIRED: 'true', OAUTH_ENABLED: 'true', OAUTH_ISSUER: 'my-issuer'}).problems[0].path,
    ).toBe('OAUTH_ISSUER')
    expect(
      plan({
        INGRESS_AUTH_REQUIRED: 'true',
        OAUTH_ENABLED: 'true',
        OAUTH_ISSUER: 'my-issuer',
        OAUTH_JWKS_URL: 'https://idp/keys',
      }).oauth?.issuer,
    ).toBe('my-issuer')
  })

  it('refuses METRICS_AUTH_REQUIRED while ingress auth is off', () => {
    expect(refusal({METRICS_AUTH_REQUIRED: 'true'}).problems[0].path).toBe('METRICS_AUTH_REQUIRED')
  })

  it('never shows a key or a secret in its problems', () => {
    const error = refusal({
      INGRESS_AUTH_REQUIRED: 'true',
      INGRESS_API_KEYS: 'a:dup-secret-value-1234,b:dup-secret-value-1234',
      OAUTH_ENABLED: 'true',
      OAUTH_JWT_SECRET: 'hmac-secret-value-xyz',
      OAUTH_JWKS_URL: 'https://idp/keys',
    })
    const text = JSON.stringify(error.problems) + error.message
    expect(text).not.toContain('dup-secret-value')
    expect(text).not.toContain('hmac-secret-value')
  })
})

describe('token claims', () => {
  it('reads scopes from scope (space-separated) and scp (array or string)', () => {
    expect([...tokenScopes({scope: 'openid  router:invoke'})]).toEqual(['openid', 'router:invoke'])
    expect([...tokenScopes({scp: ['a', 'b', 3]})]).toEqual(['a', 'b'])
    expect(hasScopes({scp: 'a b'}, ['a', 'b'])).toBe(true)
    expect(hasScopes({scope: 'a'}, ['a', 'b'])).toBe(false)
    expect(hasScopes({}, [])).toBe(true)
  })

  it('names the principal by sub, else the OAuth client', () => {
    expect(tokenPrincipal({sub: 'alice', client_id: 'c'})).toBe('alice')
    expect(tokenPrincipal({client_id: 'batch-job'})).toBe('batch-job')
    expect(tokenPrincipal({azp: 'spa'})).toBe('spa')
    expect(tokenPrincipal({sub: ''})).toBeNull()
  })

  it('derives the JWKS URL without doubling slashes', () => {
    expect(defaultJwksUrl('https://idp.example.com/')).toBe('https://idp.example.com/.well-known/jwks.json')
  })
})
