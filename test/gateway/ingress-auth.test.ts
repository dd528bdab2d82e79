import {readFile} from 'node:fs/promises'
import OpenAI from 'openai'
import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {ConfigError} from '../../src/core/errors.js'
import type {GatewaySettings} from '../../src/core/settings/schema.js'
import {gatewayTest, startTestGateway, type StartGateway, type TestGateway} from '../helpers/gateway.js'
import {
  newKey,
  signHs256,
  signRs256,
  startJwksServer,
  unsignedToken,
  type JwksServer,
  type TestKey,
} from '../helpers/jwks-server.js'

const CI_KEY = 'ci-key-0123456789abcdef'
const BARE_KEY = 'bare-key-fedcba9876543210'
const AUDIENCE = 'open-llm-router'
const SECRET = 'a-shared-hmac-secret-of-at-least-32-chars!'

const first = await newKey('key-1')
const second = await newKey('key-2')

function config({sim}: {sim: {url: string}}): string {
  return `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
accounts:
  - name: alpha
    provider: openai
    base_url: ${sim.url}/v1
    api_key: sk-upstream-secret-999
task_routes:
  general: {default: [openai/gpt-5-mini]}
`
}

/** `gateway` takes API keys; `jwks` takes keys and tokens signed by the identity provider `idp`. */
const it = gatewayTest({
  sims: {sim: {name: 'alpha'}},
  upstreams: {idp: () => startJwksServer([first])},
  config,
  options: {settings: {ingress_auth_required: true, ingress_api_keys: [`ci:${CI_KEY}`, BARE_KEY]}},
}).extend('jwks', {scope: 'file'}, async ({sims, upstreams: {idp}}, {onCleanup}) => {
  const gateway = await startTestGateway(config(sims), {
    settings: {
      ingress_auth_required: true,
      ingress_api_keys: [`ci:${CI_KEY}`],
      oauth_enabled: true,
      oauth_issuer: idp.issuer,
      oauth_audience: AUDIENCE,
      oauth_required_scopes: ['router:invoke'],
      oauth_clock_skew_seconds: 5,
      // Small, so that the key rotation test does not wait 30 s for the refetch cool-down.
      oauth_jwks_cooldown_seconds: 0.2,
    },
  })
  onCleanup(() => gateway.close())
  return gateway
})

const hello = {model: 'auto', messages: [{role: 'user', content: 'hello'}]}

async function call(
  gateway: TestGateway,
  authorization: string | undefined,
  path = '/v1/chat/completions',
  method: 'GET' | 'POST' = 'POST',
) {
  const response = await request(`${gateway.url}${path}`, {
    method,
    headers: {'content-type': 'application/json', ...(authorization === undefined ? {} : {authorization})},
    ...(method === 'POST' ? {body: JSON.stringify(hello)} : {}),
  })
  const text = await response.body.text()
  return {status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text)}
}

function terminalOf(
  gateway: TestGateway,
  requestId: string,
): Extract<AuditEvent, {event: 'proxy_terminal'}> | undefined {
  return gateway.eventsFor(requestId).find((e) => e.event === 'proxy_terminal') as
    Extract<AuditEvent, {event: 'proxy_terminal'}> | undefined
}

/** The one 401 every refusal gets, whatever failed; the audit event says why. */
async function expectRefused(gateway: TestGateway, authorization: string | undefined, reason: string) {
  const res = await call(gateway, authorization)
  expect(res.status).toBe(401)
  expect(res.headers['www-authenticate']).toBe('Bearer realm="open-llm-router"')
  expect(res.json()).toEqual({
    error: {
      message: 'Missing or invalid credentials. Send "Authorization: Bearer <key or token>".',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: null,
    },
  })
  const terminal = terminalOf(gateway, res.headers['x-router-request-id'] as string)
  expect(terminal).toMatchObject({outcome: 'rejected', status: 401, error_code: reason})
  expect(terminal?.principal).toBeUndefined()
}

describe('API keys', () => {
  it('accepts a named key and records its name as the principal in every audit event of the request', async ({
    gateway: keys,
  }) => {
    const res = await call(keys, `Bearer ${CI_KEY}`)
    expect(res.status).toBe(200)
    const events = keys.eventsFor(res.headers['x-router-request-id'] as string)
    expect(events.length).toBeGreaterThan(3)
    for (const event of events) expect((event as {principal?: string}).principal).toBe('ci')
  })

  it('names a bare key key-<first 4 hex of its SHA-256>', async ({gateway: keys}) => {
    const res = await call(keys, `bearer ${BARE_KEY}`)
    expect(res.status).toBe(200)
    const {createHash} = await import('node:crypto')
    const expected = `key-${createHash('sha256').update(BARE_KEY).digest('hex').slice(0, 4)}`
    expect(terminalOf(keys, res.headers['x-router-request-id'] as string)?.principal).toBe(expected)
  })

  it('works with the official client, which sends its api key as a bearer token', async ({gateway: keys}) => {
    const client = new OpenAI({baseURL: `${keys.url}/v1`, apiKey: CI_KEY, maxRetries: 0})
    const answer = await client.chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'hi'}]})
    expect(answer.choices[0].message.content).toBeTruthy()
    const refused = new OpenAI({baseURL: `${keys.url}/v1`, apiKey: 'wrong-key-xxxxxxxxxxxx', maxRetries: 0})
    await expect(
      refused.chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'hi'}]}),
    ).rejects.toMatchObject({status: 401})
  })

  it('refuses a missing header, another scheme, an empty token and an unknown key with the same 401', async ({
    gateway: keys,
  }) => {
    await expectRefused(keys, undefined, 'auth_missing')
    await expectRefused(keys, `Basic ${Buffer.from(`ci:${CI_KEY}`).toString('base64')}`, 'auth_missing')
    await expectRefused(keys, 'Bearer ', 'auth_missing')
    await expectRefused(keys, `Bearer ${CI_KEY}x`, 'auth_unknown_key')
    await expectRefused(keys, `Bearer ci:${CI_KEY}`, 'auth_unknown_key')
  })

  it('protects every /v1 route, including the model list and the router endpoints, and unknown paths', async ({
    gateway: keys,
  }) => {
    for (const path of [
      '/v1/models',
      '/v1/models/openai/gpt-5-mini',
      '/v1/router/live-metrics',
      '/v1/router/policy',
      '/v1/router/events',
      '/v2/anything',
    ]) {
      const res = await call(keys, undefined, path, 'GET')
      expect(res.status, path).toBe(401)
      expect(res.json().error.code).toBe('invalid_api_key')
    }
    const models = await call(keys, `Bearer ${CI_KEY}`, '/v1/models', 'GET')
    expect(models.status).toBe(200)
    expect(models.json().data[0].id).toBe('auto')
  })

  it('audits a refused GET on a route that proxies nothing as ingress_rejected, with why', async ({gateway: keys}) => {
    for (const [path, authorization, reason] of [
      ['/v1/models', undefined, 'auth_missing'],
      ['/v1/router/events', `Bearer ${CI_KEY}x`, 'auth_unknown_key'],
      ['/v2/anything?token=abc', undefined, 'auth_missing'],
    ] as const) {
      const res = await call(keys, authorization, path, 'GET')
      expect(res.status, path).toBe(401)
      const id = res.headers['x-router-request-id'] as string
      const event = await vi.waitFor(() => {
        const found = keys.eventsFor(id).find((e) => e.event === 'ingress_rejected')
        expect(found, path).toBeDefined()
        return found
      })
      expect(event).toEqual({
        ts: expect.any(String),
        request_id: id,
        event: 'ingress_rejected',
        method: 'GET',
        path: path.split('?')[0],
        status: 401,
        error_code: reason,
      })
    }
    await vi.waitFor(async () => expect(await readFile(keys.auditPath, 'utf8')).toContain('"event":"ingress_rejected"'))
    expect(await readFile(keys.auditPath, 'utf8')).not.toContain(CI_KEY)
  })

  it('leaves /health and /metrics open', async ({gateway: keys}) => {
    expect((await call(keys, undefined, '/health', 'GET')).status).toBe(200)
    const metrics = await call(keys, undefined, '/metrics', 'GET')
    expect(metrics.status).toBe(200)
    expect(metrics.text).toContain('router_requests_total')
  })

  it('never sends the ingress key upstream', async ({gateway: keys, sims: {sim}}) => {
    sim.clearRequests()
    await call(keys, `Bearer ${CI_KEY}`)
    expect(sim.requests).toHaveLength(1)
    expect(JSON.stringify(sim.requests[0].headers)).not.toContain(CI_KEY)
    expect(sim.requests[0].headers.authorization).toBe('Bearer sk-upstream-secret-999')
  })
})

describe('JWTs from a JWKS', () => {
  const good = (idp: JwksServer, key: TestKey, extra: Parameters<typeof signRs256>[1] = {}) =>
    signRs256(key, {issuer: idp.issuer, audience: AUDIENCE, claims: {scope: 'openid router:invoke'}, ...extra})

  it('accepts a valid token and records its subject as the principal', async ({jwks, upstreams: {idp}}) => {
    const res = await call(jwks, `Bearer ${await good(idp, first, {subject: 'alice@example.com'})}`)
    expect(res.status).toBe(200)
    expect(terminalOf(jwks, res.headers['x-router-request-id'] as string)?.principal).toBe('alice@example.com')
  })

  it('accepts the scope as an scp array too, and API keys alongside tokens', async ({jwks, upstreams: {idp}}) => {
    const scp = await signRs256(first, {issuer: idp.issuer, audience: AUDIENCE, claims: {scp: ['router:invoke']}})
    expect((await call(jwks, `Bearer ${scp}`)).status).toBe(200)
    expect((await call(jwks, `Bearer ${CI_KEY}`)).status).toBe(200)
  })

  it('refuses expired, not yet valid, wrong issuer, wrong audience and missing scope, each with the same 401', async ({
    jwks,
    upstreams: {idp},
  }) => {
    await expectRefused(jwks, `Bearer ${await good(idp, first, {expiresIn: -60})}`, 'auth_expired')
    await expectRefused(jwks, `Bearer ${await good(idp, first, {notBefore: 120})}`, 'auth_not_yet_valid')
    await expectRefused(jwks, `Bearer ${await good(idp, first, {issuer: 'https://evil.example.com'})}`, 'auth_issuer')
    await expectRefused(jwks, `Bearer ${await good(idp, first, {audience: 'someone-else'})}`, 'auth_audience')
    await expectRefused(jwks, `Bearer ${await good(idp, first, {claims: {scope: 'openid'}})}`, 'auth_scope')
    await expectRefused(jwks, `Bearer ${await good(idp, first, {expiresIn: null})}`, 'auth_claims')
    await expectRefused(jwks, `Bearer ${await good(idp, first, {subject: null})}`, 'auth_no_subject')
  })

  it('remembers a verified token only until it expires', async ({startGateway, upstreams: {idp}}) => {
    const strict = await startGateway({
      settings: {
        ingress_auth_required: true,
        oauth_enabled: true,
        oauth_issuer: idp.issuer,
        oauth_audience: AUDIENCE,
        oauth_clock_skew_seconds: 0,
      },
    })
    const token = await signRs256(first, {issuer: idp.issuer, audience: AUDIENCE, expiresIn: 2})
    expect((await call(strict, `Bearer ${token}`)).status).toBe(200)
    expect((await call(strict, `Bearer ${token}`)).status).toBe(200)
    // exp has a one-second resolution: wait until it has surely passed (the expiry is the behaviour under test).
    await new Promise((resolve) => setTimeout(resolve, 2100))
    await expectRefused(strict, `Bearer ${token}`, 'auth_expired')
  })

  it('tolerates a little clock skew on expiry', async ({jwks, upstreams: {idp}}) => {
    // Expired 2 s ago, within the 5 s allowance.
    expect((await call(jwks, `Bearer ${await good(idp, first, {expiresIn: -2})}`)).status).toBe(200)
  })

  it('refuses a token whose signature does not match (signed by a key the JWKS does not publish under that kid)', async ({
    jwks,
    upstreams: {idp},
  }) => {
    const forged = await signRs256(
      {...second, kid: first.kid},
      {issuer: idp.issuer, audience: AUDIENCE, claims: {scope: 'router:invoke'}},
    )
    await expectRefused(jwks, `Bearer ${forged}`, 'auth_bad_signature')
    const [header, body] = (await good(idp, first)).split('.')
    await expectRefused(jwks, `Bearer ${header}.${body}.AAAA`, 'auth_bad_signature')
  })

  it('refuses alg none', async ({jwks, upstreams: {idp}}) => {
    await expectRefused(jwks, `Bearer ${unsignedToken({issuer: idp.issuer, audience: AUDIENCE})}`, 'auth_algorithm')
  })

  it('refuses the algorithm confusion attack: HS256 signed with the RS256 public key', async ({
    jwks,
    upstreams: {idp},
  }) => {
    for (const secret of [first.publicPem, JSON.stringify(first.publicJwk)]) {
      const token = await signHs256(
        secret,
        {issuer: idp.issuer, audience: AUDIENCE, claims: {scope: 'router:invoke'}},
        first.kid,
      )
      await expectRefused(jwks, `Bearer ${token}`, 'auth_algorithm')
    }
  })

  it('picks up a rotated key: a token with a new kid makes the gateway fetch the JWKS again', async ({
    jwks,
    upstreams: {idp},
  }) => {
    expect((await call(jwks, `Bearer ${await good(idp, first)}`)).status).toBe(200)
    const before = idp.fetches
    idp.keys = [first, second]
    // Waits out the JWKS refetch cool-down (oauth_jwks_cooldown_seconds): the refetch after it is under test.
    await new Promise((resolve) => setTimeout(resolve, 250))
    const res = await call(jwks, `Bearer ${await good(idp, second, {subject: 'rotated'})}`)
    expect(res.status).toBe(200)
    expect(idp.fetches).toBeGreaterThan(before)
    // Cached: a second request with the new key does not fetch again.
    const after = idp.fetches
    expect((await call(jwks, `Bearer ${await good(idp, second)}`)).status).toBe(200)
    expect(idp.fetches).toBe(after)
    idp.keys = [first]
  })

  it('refuses a token with a kid the JWKS does not have', async ({jwks, upstreams: {idp}}) => {
    const stranger = await newKey('stranger')
    await expectRefused(jwks, `Bearer ${await good(idp, stranger)}`, 'auth_unknown_kid')
  })

  it('answers 503 when the identity provider cannot be reached for an unknown key', async ({
    jwks,
    upstreams: {idp},
  }) => {
    idp.failWith = 500
    // Waits out the JWKS refetch cool-down, so that the gateway does ask the failing identity provider.
    await new Promise((resolve) => setTimeout(resolve, 250))
    const stranger = await newKey('during-outage')
    const res = await call(jwks, `Bearer ${await good(idp, stranger)}`)
    idp.failWith = null
    expect(res.status).toBe(503)
    expect(res.json().error).toMatchObject({code: 'auth_unavailable', type: 'service_unavailable'})
  })
})

describe('JWTs with a shared HS256 secret', () => {
  it('accepts a token signed with the secret and refuses one signed with another secret or RS256', async ({
    startGateway,
  }) => {
    const hs = await startGateway({
      settings: {
        ingress_auth_required: true,
        oauth_enabled: true,
        oauth_jwt_secret: SECRET,
        oauth_issuer: 'https://issuer.test',
      },
    })
    const ok = await call(
      hs,
      `Bearer ${await signHs256(SECRET, {issuer: 'https://issuer.test', subject: 'svc-batch'})}`,
    )
    expect(ok.status).toBe(200)
    expect(terminalOf(hs, ok.headers['x-router-request-id'] as string)?.principal).toBe('svc-batch')
    await expectRefused(
      hs,
      `Bearer ${await signHs256('another-secret-that-is-also-32-chars-long', {issuer: 'https://issuer.test'})}`,
      'auth_bad_signature',
    )
    await expectRefused(hs, `Bearer ${await signRs256(first, {issuer: 'https://issuer.test'})}`, 'auth_algorithm')
    await expectRefused(hs, `Bearer ${unsignedToken({issuer: 'https://issuer.test'})}`, 'auth_algorithm')
  })
})

describe('passthrough accounts with ingress auth on', () => {
  it('forward the client token from X-Upstream-Authorization, never the ingress key', async ({
    startGateway,
    sims: {sim},
  }) => {
    const gateway = await startGateway({
      config: `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
accounts:
  - name: byok
    provider: openai
    base_url: ${sim.url}/v1
    auth_mode: passthrough
`,
      settings: {ingress_auth_required: true, ingress_api_keys: [`ci:${CI_KEY}`]},
    })
    sim.clearRequests()
    const withToken = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${CI_KEY}`,
        'x-upstream-authorization': 'Bearer sk-client-own-key',
      },
      body: JSON.stringify(hello),
    })
    await withToken.body.text()
    expect(withToken.statusCode).toBe(200)
    expect(sim.requests[0].headers.authorization).toBe('Bearer sk-client-own-key')
    // Without an upstream token the account has no credential; the ingress key is not used in its place.
    const without = await call(gateway, `Bearer ${CI_KEY}`)
    expect(without.status).toBe(503)
    expect(sim.requests).toHaveLength(1)
    expect(JSON.stringify(sim.requests.map((r) => r.headers))).not.toContain(CI_KEY)
  })
})

describe('metrics auth', () => {
  it('protects /metrics too with METRICS_AUTH_REQUIRED', async ({startGateway}) => {
    const gateway = await startGateway({
      settings: {ingress_auth_required: true, ingress_api_keys: [`ci:${CI_KEY}`], metrics_auth_required: true},
    })
    expect((await call(gateway, undefined, '/metrics', 'GET')).status).toBe(401)
    expect((await call(gateway, `Bearer ${CI_KEY}`, '/metrics', 'GET')).status).toBe(200)
    expect((await call(gateway, undefined, '/health', 'GET')).status).toBe(200)
  })
})

describe('misconfiguration stops the start', () => {
  async function startError(startGateway: StartGateway, settings: Partial<GatewaySettings>): Promise<ConfigError> {
    const error = await startGateway({settings}).then(
      async (gateway) => {
        await gateway.close()
        throw new Error('the gateway started')
      },
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }

  it('auth required without keys or OAuth names INGRESS_AUTH_REQUIRED and what to set', async ({startGateway}) => {
    const error = await startError(startGateway, {ingress_auth_required: true})
    expect(error.exitCode).toBe(2)
    expect(error.problems[0]).toMatchObject({path: 'INGRESS_AUTH_REQUIRED'})
    expect(error.problems[0].hint).toContain('INGRESS_API_KEYS')
  })

  it('OAuth without a JWKS URL, an issuer or a secret names OAUTH_ENABLED', async ({startGateway}) => {
    const error = await startError(startGateway, {ingress_auth_required: true, oauth_enabled: true})
    expect(error.problems.map((p) => p.path)).toContain('OAUTH_ENABLED')
    expect(error.problems[0].hint).toMatch(/OAUTH_ISSUER.*OAUTH_JWKS_URL.*OAUTH_JWT_SECRET/)
  })

  it('refuses alg none in OAUTH_ALGORITHMS, and HMAC algorithms without a secret', async ({startGateway}) => {
    const none = await startError(startGateway, {
      ingress_auth_required: true,
      oauth_enabled: true,
      oauth_issuer: 'https://idp.test',
      oauth_algorithms: ['RS256', 'none'],
    })
    expect(none.problems.map((p) => p.path)).toContain('OAUTH_ALGORITHMS')
    const hmac = await startError(startGateway, {
      ingress_auth_required: true,
      oauth_enabled: true,
      oauth_issuer: 'https://idp.test',
      oauth_algorithms: ['HS256'],
    })
    expect(hmac.problems[0].message).toContain('shared secret')
  })

  it('refuses the same key listed twice', async ({startGateway}) => {
    await expect(
      startGateway({
        settings: {ingress_auth_required: true, ingress_api_keys: ['same-key-1234567890', 'same-key-1234567890']},
      }),
    ).rejects.toMatchObject({code: 'ingress_auth_invalid'})
  })
})
