/**
 * Prompt text for the audit log, only when the operator turns it on (`ROUTER_AUDIT_LOG_PROMPTS`). `redacted` (the
 * safe choice) masks what looks like a credential or personal data (see `REDACTIONS`) and keeps at most 500
 * characters; `raw` keeps the text as sent (still capped).
 */

const MAX_CHARS = 500
/**
 * Redaction reads this much more than it keeps, so that a secret that straddles the cut is still recognised whole
 * (a 20-character AWS key id cut after 10 characters would no longer look like one).
 */
const MARGIN_CHARS = 200

/**
 * What redaction masks, most specific first (a key=value pair before the value's own shape). Each pattern is linear
 * in the text's length.
 */
const REDACTIONS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[private key]'],
  // password=hunter2, "api_key": "…", secret: …, token=… (the name stays, the value goes)
  [
    /\b(pass(?:word|wd|phrase)?|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|api[_-]?key|access[_-]?key|private[_-]?key|auth)(["']?\s*[:=]\s*)(["']?)(?:(?<=["'])[^"'\n]*|[^\s"',;&}]+)/gi,
    '$1$2$3[redacted]',
  ],
  [/\b(Bearer|Basic)\s+[\w.~+/-]{8,}=*/g, '$1 [secret]'],
  [/\b(?:sk|pk|rk|ghp|gho|ghs|ghu|github_pat|glpat|xox[abp]|AIza|hf)[-_A-Za-z0-9]{12,}\b/g, '[secret]'],
  // AWS access key ids (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids)
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g, '[secret]'],
  [/\beyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{5,}\b/g, '[jwt]'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '[email]'],
  // US social security numbers: 123-45-6789, 123 45 6789
  [/\b\d{3}([- ])\d{2}\1\d{4}\b/g, '[ssn]'],
  // Card numbers: 13 to 19 digits, in groups separated by spaces or dashes, or not at all
  [/\b\d(?:[ -]?\d){12,18}\b/g, '[card]'],
  // Phone numbers: international (+44 20 7946 0958) or North American ((555) 123-4567, 555.123.4567)
  [/\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){3,6}\b/g, '[phone]'],
  [/(?:\(\d{3}\)\s?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b/g, '[phone]'],
  [/\b[A-Za-z0-9+/_-]{32,}={0,2}/g, '[token]'],
  [/\d{6,}/g, '[number]'],
]

/** The last user text of a request (chat, responses or completions shape), prepared for the audit log. */
export function promptForAudit(body: Record<string, unknown>, mode: 'redacted' | 'raw'): string {
  const text = lastUserText(body)
  if (mode === 'raw') return cap(text)
  const cut = text.length > MAX_CHARS + MARGIN_CHARS
  let out = cut ? text.slice(0, MAX_CHARS + MARGIN_CHARS) : text
  for (const [pattern, replacement] of REDACTIONS) out = out.replace(pattern, replacement)
  return cap(out, cut)
}

function cap(text: string, cut = false): string {
  return text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) + '…' : cut ? text + '…' : text
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : undefined
  if (messages) {
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i] as {role?: unknown; content?: unknown}
      if (message && (message.role === 'user' || message.role === undefined)) return contentText(message.content)
    }
    return ''
  }
  if (typeof body.input === 'string') return body.input
  if (typeof body.prompt === 'string') return body.prompt
  if (Array.isArray(body.prompt)) return body.prompt.filter((p) => typeof p === 'string').join('\n')
  return ''
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part) =>
      part && typeof part === 'object' && typeof (part as {text?: unknown}).text === 'string'
        ? (part as {text: string}).text
        : '',
    )
    .filter(Boolean)
    .join('\n')
}
