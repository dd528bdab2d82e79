/** Canonical JSON: the same text for values that differ only in the order of object keys. */

/** Text to write as is (punctuation and keys), as opposed to a value still to serialise. */
class Raw {
  constructor(readonly text: string) {}
}

const COMMA = new Raw(',')
const CLOSE_ARRAY = new Raw(']')
const CLOSE_OBJECT = new Raw('}')

/**
 * `JSON.stringify` with object keys sorted at every level (arrays keep their order; `undefined` members dropped).
 * Iterative, with a stack of its own: a client's body nested thousands of levels deep (which `JSON.parse` reads
 * without complaint) must not overflow the call stack.
 */
export function canonicalJson(value: unknown): string {
  let out = ''
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (item instanceof Raw) {
      out += item.text
    } else if (item === null || typeof item !== 'object') {
      out += JSON.stringify(item) ?? 'null'
    } else if (Array.isArray(item)) {
      out += '['
      stack.push(CLOSE_ARRAY)
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i] === undefined ? null : item[i])
        if (i > 0) stack.push(COMMA)
      }
    } else {
      out += '{'
      stack.push(CLOSE_OBJECT)
      const record = item as Record<string, unknown>
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push(record[keys[i]])
        stack.push(new Raw(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`))
      }
    }
  }
  return out
}
