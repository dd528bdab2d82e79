import {describe, expect, it} from 'vitest'

import {promptForAudit} from '../../../src/core/audit/prompt.js'

/** The redacted audit text of a chat request whose last user message is `text`. */
function redacted(text: string): string {
  return promptForAudit({model: 'auto', messages: [{role: 'user', content: text}]}, 'redacted')
}

describe('promptForAudit, redacted', () => {
  it.each([
    ['an AWS access key id', 'my key is AKIAIOSFODNN7EXAMPLE ok', 'AKIAIOSFODNN7EXAMPLE', 'my key is [secret] ok'],
    ['an AWS temporary key id', 'use ASIAY34FZKBOKMUTVV7A now', 'ASIAY34FZKBOKMUTVV7A', 'use [secret] now'],
    ['a card number with spaces', 'card 4111 1111 1111 1111 exp 12/29', '4111 1111 1111 1111', 'card [card] exp 12/29'],
    ['a card number with dashes', 'card 5500-0000-0000-0004 please', '5500-0000-0000-0004', 'card [card] please'],
    ['an Amex number in 4-6-5 groups', 'amex 3782 822463 10005', '3782 822463 10005', 'amex [card]'],
    ['password=…', 'login with password=hunter2 and go', 'hunter2', 'login with password=[redacted] and go'],
    [
      '"password": "…" in JSON',
      '{"user": "bob", "password": "s3cr3t!"}',
      's3cr3t!',
      '{"user": "bob", "password": "[redacted]"}',
    ],
    ['api_key: …', 'config api_key: abc123def', 'abc123def', 'config api_key: [redacted]'],
    [
      'secret=… in a query string',
      'GET /cb?client_secret=zyx987&x=1',
      'zyx987',
      'GET /cb?client_secret=[redacted]&x=1',
    ],
    [
      'a bearer token',
      'Authorization: Bearer abcdef0123456789xyz',
      'abcdef0123456789xyz',
      'Authorization: Bearer [secret]',
    ],
    ['a US social security number', 'my SSN is 123-45-6789.', '123-45-6789', 'my SSN is [ssn].'],
    ['an SSN with spaces', 'ssn 123 45 6789', '123 45 6789', 'ssn [ssn]'],
    ['a North American phone number', 'call (555) 123-4567 today', '123-4567', 'call [phone] today'],
    ['a phone number with dots', 'call 555.123.4567', '555.123.4567', 'call [phone]'],
    ['an international phone number', 'ring +44 20 7946 0958 please', '7946 0958', 'ring [phone] please'],
    ['an e-mail address', 'mail jane.doe+x@example.co.uk now', 'jane.doe', 'mail [email] now'],
    ['an OpenAI key', 'sk-proj-abcdefghijklmnop1234', 'abcdefghijklmnop', '[secret]'],
    ['a GitHub token', 'ghp_0123456789abcdefghijABCDEFGHIJ012345', 'ghp_', '[secret]'],
    [
      'a JWT',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N',
      'eyJhbGci',
      'token [jwt]',
    ],
    [
      'a PEM private key',
      'here: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY----- done',
      'MIIEpAIBAAKCAQEA7',
      'here: [private key] done',
    ],
  ])('masks %s', (_name, text, secret, expected) => {
    const out = redacted(text)
    expect(out).not.toContain(secret)
    expect(out).toBe(expected)
  })

  it('leaves ordinary text, dates, versions and short numbers alone', () => {
    const text = 'On 2026-03-02 upgrade node 20.18.1 to fix bug #4521 in 3 steps; the password field is required.'
    expect(redacted(text)).toBe(text)
  })

  it('recognises a secret that straddles the 500-character cut before it cuts', () => {
    const text = `${'x '.repeat(245)}key AKIAIOSFODNN7EXAMPLE and more text after it`
    const out = redacted(text)
    expect(out).not.toContain('AKIAIOSF')
    expect(out.length).toBeLessThanOrEqual(501)
    expect(out.endsWith('…')).toBe(true)
  })

  it('keeps the text as sent in raw mode (capped)', () => {
    const body = {messages: [{role: 'user', content: 'password=hunter2'}]}
    expect(promptForAudit(body, 'raw')).toBe('password=hunter2')
  })
})
