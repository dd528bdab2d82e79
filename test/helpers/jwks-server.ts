/**
 * A small identity provider for ingress auth tests: a node:http server on 127.0.0.1 that serves a JWKS at
 * `/.well-known/jwks.json` (keys can be rotated), and functions that sign tokens with those keys.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload} from 'jose'

export interface TestKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
  /** The public key as PEM (what an attacker would use as an HMAC secret in an algorithm confusion attempt). */
  publicPem: string
}

export interface JwksServer {
  /** The issuer URL (`http://127.0.0.1:PORT`); the JWKS is at `<issuer>/.well-known/jwks.json`. */
  issuer: string
  jwksUrl: string
  /** Keys currently published. */
  keys: TestKey[]
  /** JWKS requests served so far. */
  fetches: number
  /** Answer JWKS requests with this status instead (simulates an identity provider outage). */
  failWith: number | null
  close(): Promise<void>
}

/** An RS256 key pair with its public JWK. */
export async function newKey(kid: string): Promise<TestKey> {
  const {publicKey, privateKey} = await generateKeyPair('RS256', {extractable: true})
  const publicJwk = {...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig'}
  return {kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey)}
}

export async function startJwksServer(keys: TestKey[]): Promise<JwksServer> {
  const state: JwksServer = {
    issuer: '',
    jwksUrl: '',
    keys,
    fetches: 0,
    failWith: null,
    close: async () => {},
  }
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      state.fetches++
      if (state.failWith !== null) {
        response.writeHead(state.failWith).end()
        return
      }
      response
        .writeHead(200, {'content-type': 'application/json'})
        .end(JSON.stringify({keys: state.keys.map((k) => k.publicJwk)}))
      return
    }
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  state.issuer = `http://127.0.0.1:${port}`
  state.jwksUrl = `${state.issuer}/.well-known/jwks.json`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

export interface SignOptions {
  issuer?: string
  audience?: string
  /** The `sub` claim; null for none. */
  subject?: string | null
  /** Seconds from now; negative for an expired token; null for no `exp`. */
  expiresIn?: number | null
  /** Seconds from now for `nbf`. */
  notBefore?: number
  claims?: JWTPayload
}

/** An RS256 token signed with `key`, valid for 5 minutes unless told otherwise. */
export async function signRs256(key: TestKey, options: SignOptions = {}): Promise<string> {
  return sign(new SignJWT(payload(options)).setProtectedHeader({alg: 'RS256', kid: key.kid, typ: 'JWT'}), options).sign(
    key.privateKey,
  )
}

/** An HS256 token signed with a shared secret (or, for a confusion attempt, with a public key's PEM text). */
export async function signHs256(secret: string, options: SignOptions = {}, kid?: string): Promise<string> {
  return sign(
    new SignJWT(payload(options)).setProtectedHeader({alg: 'HS256', typ: 'JWT', ...(kid ? {kid} : {})}),
    options,
  ).sign(new TextEncoder().encode(secret))
}

/** An unsigned token (`alg: none`) with the given claims. */
export function unsignedToken(options: SignOptions = {}): string {
  const now = Math.floor(Date.now() / 1000)
  const body = {
    ...payload(options),
    iat: now,
    exp: now + 300,
    ...(options.issuer ? {iss: options.issuer} : {}),
    ...(options.audience ? {aud: options.audience} : {}),
    sub: options.subject ?? 'mallory',
  }
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${encode({alg: 'none', typ: 'JWT'})}.${encode(body)}.`
}

function payload(options: SignOptions): JWTPayload {
  return {...options.claims}
}

function sign(jwt: SignJWT, options: SignOptions): SignJWT {
  const now = Math.floor(Date.now() / 1000)
  jwt.setIssuedAt(now)
  if (options.issuer) jwt.setIssuer(options.issuer)
  if (options.audience) jwt.setAudience(options.audience)
  if (options.subject !== null) jwt.setSubject(options.subject ?? 'user-123')
  const expiresIn = options.expiresIn === undefined ? 300 : options.expiresIn
  if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn)
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore)
  return jwt
}
