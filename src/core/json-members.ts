/**
 * Edits the top level of a JSON object, as UTF-8 bytes, without parsing and re-serialising the rest. The gateway
 * forwards a client's body with `model` replaced and the router-only fields removed; `JSON.stringify` of a parsed
 * 100 KB chat body costs five times its `JSON.parse` (every character of every string is checked for escaping), then
 * the text must be encoded again, while cutting and joining the client's own bytes costs a scan from quote to quote
 * and one copy, outside the JavaScript heap. (UTF-8 never uses the bytes of `"`, `\`, `{`… inside a multi-byte
 * character, so the structure can be read byte by byte.)
 *
 * The bytes must be valid JSON (the gateway has parsed them already); anything unexpected gives `undefined`, and the
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

/** One member of an object: its key, and where its bytes lie (the key's opening quote to the end of its value). */
export interface JsonMember {
  key: string
  start: number
  end: number
}

/** JSON's whitespace (not JavaScript's wider `\s`). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

function skipSpace(bytes: Buffer, at: number): number {
  while (at < bytes.length && isSpace(bytes[at])) at++
  return at
}

/** Index just past the string whose opening quote is at `at`, or -1. Jumps from quote to quote. */
function stringEnd(bytes: Buffer, at: number): number {
  for (let quote = bytes.indexOf(QUOTE, at + 1); quote !== -1; quote = bytes.indexOf(QUOTE, quote + 1)) {
    let slashes = 0
    for (let k = quote - 1; bytes[k] === BACKSLASH; k--) slashes++
    // An even run of backslashes escapes itself, not the quote.
    if ((slashes & 1) === 0) return quote + 1
  }
  return -1
}

/** Index just past the value that starts at `at` (no whitespace before it), or -1. */
function valueEnd(bytes: Buffer, at: number): number {
  const first = bytes[at]
  if (first === QUOTE) return stringEnd(bytes, at)
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0
    let k = at
    while (k < bytes.length) {
      const c = bytes[k]
      if (c === QUOTE) {
        k = stringEnd(bytes, k)
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
  while (k < bytes.length) {
    const c = bytes[k]
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break
    k++
  }
  return k > at ? k : -1
}

/** The top-level members of an object, in order, or undefined when the bytes are not one JSON object. */
export function jsonObjectMembers(bytes: Buffer): JsonMember[] | undefined {
  let k = skipSpace(bytes, 0)
  if (bytes[k] !== OPEN_BRACE) return undefined
  k = skipSpace(bytes, k + 1)
  const members: JsonMember[] = []
  if (bytes[k] === CLOSE_BRACE) return skipSpace(bytes, k + 1) === bytes.length ? members : undefined
  for (;;) {
    if (bytes[k] !== QUOTE) return undefined
    const keyEnd = stringEnd(bytes, k)
    if (keyEnd === -1) return undefined
    // A key spelled with escapes (`"mod\u0065l"`) is the same key as its plain spelling.
    let escaped = false
    for (let j = k + 1; j < keyEnd - 1 && !escaped; j++) escaped = bytes[j] === BACKSLASH
    const key = escaped
      ? (JSON.parse(bytes.toString('utf8', k, keyEnd)) as string)
      : bytes.toString('utf8', k + 1, keyEnd - 1)
    let value = skipSpace(bytes, keyEnd)
    if (bytes[value] !== COLON) return undefined
    value = skipSpace(bytes, value + 1)
    const end = valueEnd(bytes, value)
    if (end === -1) return undefined
    members.push({key, start: k, end})
    k = skipSpace(bytes, end)
    const c = bytes[k]
    if (c === CLOSE_BRACE) return skipSpace(bytes, k + 1) === bytes.length ? members : undefined
    if (c !== COMMA) return undefined
    k = skipSpace(bytes, k + 1)
  }
}

/**
 * The object in `bytes` with the member `set.key` given the value `set.value` (in its place, or first when it is
 * missing) and the members named in `drop` left out; every other member is the client's bytes as they were.
 * Undefined when `bytes` is not a JSON object or names a key twice (`JSON.parse` keeps the last, a server may keep the
 * first: only a fresh serialisation says one thing).
 */
export function rewriteJsonObject(
  bytes: Buffer,
  set: {key: string; value: unknown},
  drop: ReadonlySet<string>,
): Buffer | undefined {
  const members = jsonObjectMembers(bytes)
  if (members === undefined) return undefined
  const keys = new Set<string>()
  const kept: JsonMember[] = []
  let replaced = false
  for (const member of members) {
    if (keys.has(member.key)) return undefined
    keys.add(member.key)
    if (drop.has(member.key)) continue
    kept.push(member)
    if (member.key === set.key) replaced = true
  }
  const replacement = Buffer.from(`${JSON.stringify(set.key)}:${JSON.stringify(set.value)}`)
  // `{`, the members with a comma between each, `}`.
  let size = 2 + (replaced ? 0 : replacement.length + (kept.length > 0 ? 1 : 0))
  for (let i = 0; i < kept.length; i++)
    size += (i > 0 ? 1 : 0) + (kept[i].key === set.key ? replacement.length : kept[i].end - kept[i].start)
  const out = Buffer.allocUnsafe(size)
  let at = 0
  out[at++] = OPEN_BRACE
  if (!replaced) {
    at += replacement.copy(out, at)
    if (kept.length > 0) out[at++] = COMMA
  }
  for (let i = 0; i < kept.length; i++) {
    if (i > 0) out[at++] = COMMA
    const {key, start, end} = kept[i]
    at += key === set.key ? replacement.copy(out, at) : bytes.copy(out, at, start, end)
  }
  out[at++] = CLOSE_BRACE
  return out
}
