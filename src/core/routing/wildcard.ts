/** Name patterns with `*` wildcards, as `allowed_models` and `model_aliases` take them. */

/** Whether `value` matches `pattern`: `*` matches any run of characters, everything else literally, ignoring case. */
export function wildcard(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase()
  const v = value.toLowerCase()
  if (!p.includes('*')) return p === v
  const parts = p.split('*')
  if (!v.startsWith(parts[0])) return false
  let at = parts[0].length
  for (let i = 1; i < parts.length - 1; i++) {
    const found = v.indexOf(parts[i], at)
    if (found === -1) return false
    at = found + parts[i].length
  }
  const tail = parts[parts.length - 1]
  return v.length - tail.length >= at && v.endsWith(tail)
}
