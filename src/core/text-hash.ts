/**
 * A fast, non-cryptographic hash of a text, for keys the gateway computes on every request (sessions, retries): 53
 * bits from two multiply-xor passes over the UTF-16 code units, printed in base 36. Collisions are possible but rare
 * (about one in 10^15 pairs); never use it where an attacker must not find one.
 */
export function textHash(text: string): string {
  let a = 0xdeadbeef
  let b = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x9e3779b1)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b) ^ Math.imul(b ^ (b >>> 13), 0xc2b2ae35)
  b = Math.imul(b ^ (b >>> 16), 0x85ebca6b) ^ Math.imul(a ^ (a >>> 13), 0xc2b2ae35)
  return base36(4294967296 * (0x1fffff & b) + (a >>> 0))
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * `n.toString(36)` for a whole number below 2^53, five times faster: V8 prints a number above 2^31 in another base
 * through its general floating-point path (about 1 µs).
 */
function base36(n: number): string {
  let text = ''
  do {
    const rest = Math.floor(n / 36)
    text = DIGITS[n - rest * 36] + text
    n = rest
  } while (n > 0)
  return text
}

/** A long text cut to what identifies it cheaply: its length, its start and its end. */
export function textSketch(text: string, keep = 512): string {
  return text.length <= 2 * keep ? text : `${text.length}:${text.slice(0, keep)}…${text.slice(-keep)}`
}
