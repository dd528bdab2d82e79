/**
 * Edits the top level of a JSON object's text without parsing and re-serialising the rest. The gateway forwards a
 * client's body with `model` replaced and the router-only fields removed; `JSON.stringify` of a parsed 100 KB chat
 * body costs five times its `JSON.parse` (every character of every string is checked for escaping), while cutting
 * and joining the client's own text costs a scan from quote to quote.
 *
 * The text must be valid JSON (the gateway has parsed it already); anything unexpected gives `undefined`, and the
 * caller serialises the parsed object instead.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

/** One member of an object's text: its key, and where it lies (the key's opening quote to the end of its value). */
export interface JsonMember {
  key: string
  start: number
  end: number
}

/** JSON's whitespace (not JavaScript's wider `\s`). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++
  return at
}

/** Index just past the string whose opening quote is at `at`, or -1. Jumps from quote to quote. */
function stringEnd(text: string, at: number): number {
  for (let quote = text.indexOf('"', at + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let slashes = 0
    for (let k = quote - 1; text.charCodeAt(k) === BACKSLASH; k--) slashes++
    // An even run of backslashes escapes itself, not the quote.
    if ((slashes & 1) === 0) return quote + 1
  }
  return -1
}

/** Index just past the value that starts at `at` (no whitespace before it), or -1. */
function valueEnd(text: string, at: number): number {
  const first = text.charCodeAt(at)
  if (first === QUOTE) return stringEnd(text, at)
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0
    let k = at
    while (k < text.length) {
      const c = text.charCodeAt(k)
      if (c === QUOTE) {
        k = stringEnd(text, k)
        if (k === -1) return -1
        continue
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--
        if (depth === 0) return k + 1
      }
      k++
    }
    return -1
  }
  // A number, true, false or null runs to the next delimiter.
  let k = at
  while (k < text.length) {
    const c = text.charCodeAt(k)
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break
    k++
  }
  return k > at ? k : -1
}

/** The top-level members of an object's text, in order, or undefined when the text is not a JSON object. */
export function jsonObjectMembers(text: string): JsonMember[] | undefined {
  let k = skipSpace(text, 0)
  if (text.charCodeAt(k) !== OPEN_BRACE) return undefined
  k = skipSpace(text, k + 1)
  const members: JsonMember[] = []
  if (text.charCodeAt(k) === CLOSE_BRACE) return skipSpace(text, k + 1) === text.length ? members : undefined
  for (;;) {
    if (text.charCodeAt(k) !== QUOTE) return undefined
    const keyEnd = stringEnd(text, k)
    if (keyEnd === -1) return undefined
    // A key spelled with escapes (`"mod\u0065l"`) is the same key as its plain spelling.
    const spelled = text.slice(k + 1, keyEnd - 1)
    const key = spelled.includes('\\') ? (JSON.parse(text.slice(k, keyEnd)) as string) : spelled
    let value = skipSpace(text, keyEnd)
    if (text.charCodeAt(value) !== COLON) return undefined
    value = skipSpace(text, value + 1)
    const end = valueEnd(text, value)
    if (end === -1) return undefined
    members.push({key, start: k, end})
    k = skipSpace(text, end)
    const c = text.charCodeAt(k)
    if (c === CLOSE_BRACE) return skipSpace(text, k + 1) === text.length ? members : undefined
    if (c !== COMMA) return undefined
    k = skipSpace(text, k + 1)
  }
}

/**
 * The text of the object in `text` with the member `set.key` given the value `set.value` (in its place, or first
 * when it is missing) and the members named in `drop` left out; every other member is the client's text as it was.
 * Undefined when `text` is not a JSON object or names a key twice (`JSON.parse` keeps the last, a server may keep the
 * first: only a fresh serialisation says one thing).
 */
export function rewriteJsonObject(text: string, set: {key: string; value: unknown}, drop: ReadonlySet<string>): string | undefined {
  const members = jsonObjectMembers(text)
  if (members === undefined) return undefined
  const keys = new Set<string>()
  const replacement = `${JSON.stringify(set.key)}:${JSON.stringify(set.value)}`
  let out = ''
  let replaced = false
  for (const {key, start, end} of members) {
    if (keys.has(key)) return undefined
    keys.add(key)
    if (drop.has(key)) continue
    if (out.length > 0) out += ','
    if (key === set.key) {
      out += replacement
      replaced = true
    } else {
      out += text.slice(start, end)
    }
  }
  if (!replaced) out = out.length > 0 ? `${replacement},${out}` : replacement
  return `{${out}}`
}
