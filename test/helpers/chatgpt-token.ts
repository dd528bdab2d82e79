/** An unsigned JWT with the given payload, shaped like the ChatGPT access tokens the Codex backend reads its account id from. */
export function fakeJwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({alg: 'none', typ: 'JWT'})}.${part(payload)}.sig`
}
