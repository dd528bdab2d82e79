/**
 * Prompt text for the audit log, only when the operator turns it on (`ROUTER_AUDIT_LOG_PROMPTS`). `redacted` (the
 * safe choice) masks e-mail addresses, long digit runs, and anything that looks like a key or token, and keeps at
 * most 500 characters; `raw` keeps the text as sent (still capped).
 */

const MAX_CHARS = 500

const REDACTIONS: Array<[RegExp, string]> = [
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '[email]'],
  [/\b(?:sk|pk|rk|ghp|gho|ghs|xox[abp]|AIza|hf)[-_A-Za-z0-9]{12,}\b/g, '[secret]'],
  [/\beyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{5,}\b/g, '[jwt]'],
  [/\b[A-Za-z0-9+/_-]{32,}={0,2}/g, '[token]'],
  [/\d{6,}/g, '[number]'],
]

/** The last user text of a request (chat, responses or completions shape), prepared for the audit log. */
export function promptForAudit(body: Record<string, unknown>, mode: 'redacted' | 'raw'): string {
  const text = lastUserText(body)
  const capped = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) + '…' : text
  if (mode === 'raw') return capped
  let out = capped
  for (const [pattern, replacement] of REDACTIONS) out = out.replace(pattern, replacement)
  return out
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
    .map((part) => (part && typeof part === 'object' && typeof (part as {text?: unknown}).text === 'string' ? (part as {text: string}).text : ''))
    .filter(Boolean)
    .join('\n')
}
