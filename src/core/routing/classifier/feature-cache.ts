/**
 * What the classifier read from recent texts, so that a text sent again is not read again. Chat clients resend the
 * whole conversation with every turn, and every request of an application carries the same system prompt: without
 * the cache, a coding agent's 8 KB system prompt and its history would be tokenised and matched on every request.
 * With it, a request costs about what its new text costs.
 *
 * A text is found by a fingerprint that reads 48 of its characters whatever its length (a `Map` keyed by the text
 * would hash all of it, 1.4 ns a character, and a miss would pay that on top of reading it), and a hit is confirmed
 * by comparing the whole text, so a look-alike is never taken for it. A text is kept the second time it is seen: a text sent once (a question, a document retrieved for
 * one request) is read as before and costs no memory. Least recently used texts go first, within a bound on the
 * number of texts and on their characters.
 */
import {scanText, type ScanWindow, type TextFeatures} from './scan.js'

/** Bounds of the cache. */
export interface FeatureCacheLimits {
  /** Most texts kept. */
  entries: number
  /** Most characters kept, summed over the texts (the strings are held, to confirm a hit). */
  chars: number
}

/**
 * The classifier's bounds: a few hundred conversations' worth. Filled with 1 KB texts of prose and code, the cache
 * holds 5 to 8 MB of features plus the texts (1 to 2 MB).
 */
export const FEATURE_CACHE_LIMITS: Readonly<FeatureCacheLimits> = Object.freeze({entries: 1024, chars: 1_000_000})

/** What a cache holds and how it served. */
export interface FeatureCacheStats {
  /** Texts kept, and their characters. */
  texts: number
  chars: number
  /** Look-ups served from the cache, and look-ups that read the text. */
  hits: number
  misses: number
}

/** Reads a text through a window (the classifier's `scanText`). */
export type ReadText = (text: string, window: ScanWindow) => TextFeatures

interface Entry {
  text: string
  features: TextFeatures
  /** The window the features were read with. */
  head: number
  tail: number
}

/** Slots of the table of fingerprints seen once (see `FeatureCache.remember`). */
const SEEN_SLOTS = 4096

const FNV_OFFSET = 0x811c9dc5 | 0
const FNV_PRIME = 16777619

/**
 * A fingerprint of a text from its length, its first and last 8 characters and 32 spread evenly between: texts that
 * differ only elsewhere share it, which costs a whole-text comparison and a miss, never a wrong hit.
 */
export function fingerprint(text: string): number {
  const n = text.length
  let hash = Math.imul(FNV_OFFSET ^ n, FNV_PRIME)
  if (n <= 48) {
    for (let k = 0; k < n; k++) hash = Math.imul(hash ^ text.charCodeAt(k), FNV_PRIME)
    return hash
  }
  for (let k = 0; k < 8; k++) hash = Math.imul(hash ^ text.charCodeAt(k), FNV_PRIME)
  const step = (n - 17) / 32
  for (let j = 0; j < 32; j++) hash = Math.imul(hash ^ text.charCodeAt(8 + Math.floor(j * step)), FNV_PRIME)
  for (let k = n - 8; k < n; k++) hash = Math.imul(hash ^ text.charCodeAt(k), FNV_PRIME)
  return hash
}

/** True when `window` reads the same characters of a `chars`-long text as the window of `entry`. */
function sameScan(chars: number, entry: Entry, window: ScanWindow): boolean {
  if (entry.head === window.head && entry.tail === window.tail) return true
  // A window at least as long as the text reads all of it, whatever its bounds.
  return chars <= entry.head + entry.tail && chars <= window.head + window.tail
}

/** A bounded, least-recently-used cache of text features, keyed by fingerprint and confirmed by the text. */
export class FeatureCache {
  private readonly entries = new Map<number, Entry>()
  /** Fingerprints of texts seen once and not kept, one per slot (a later fingerprint of the same slot replaces it). */
  private readonly seen = new Int32Array(SEEN_SLOTS)
  private heldChars = 0
  private hits = 0
  private misses = 0

  constructor(
    private readonly read: ReadText = scanText,
    private limits: FeatureCacheLimits = FEATURE_CACHE_LIMITS,
  ) {}

  /** Changes the bounds, dropping the least recently used texts that no longer fit; 0 for either turns the cache off. */
  setLimits(limits: FeatureCacheLimits): void {
    this.limits = {entries: limits.entries, chars: limits.chars}
    this.trim()
    if (!this.enabled) this.seen.fill(0)
  }

  /** False when a bound is 0: every text is read, nothing is kept or counted. */
  get enabled(): boolean {
    return this.limits.entries > 0 && this.limits.chars > 0
  }

  /** Number of texts kept. */
  get size(): number {
    return this.entries.size
  }

  /** Characters kept, summed over the texts. */
  get chars(): number {
    return this.heldChars
  }

  /** What the cache holds, and its hits and misses since it was made. */
  stats(): FeatureCacheStats {
    return {texts: this.entries.size, chars: this.heldChars, hits: this.hits, misses: this.misses}
  }

  /**
   * The features of `text` read through `window`: the kept ones, or read now and kept if the text was seen before.
   * Kept features stay valid after the request (their word ids are copied out of the tokenizer's arena).
   */
  features(text: string, window: ScanWindow): TextFeatures {
    if (!this.enabled) return this.read(text, window)
    const key = fingerprint(text)
    const entry = this.entries.get(key)
    if (entry !== undefined && entry.text === text && sameScan(text.length, entry, window)) {
      // Re-inserting moves the entry to the end of the map's order: the map's first entry is the least recently used.
      this.entries.delete(key)
      this.entries.set(key, entry)
      this.hits++
      return entry.features
    }
    this.misses++
    const features = this.read(text, window)
    if (!this.seenBefore(key) || text.length > this.limits.chars) return features
    features.ids = features.ids.slice()
    this.keep(key, {text, features, head: window.head, tail: window.tail})
    return features
  }

  /** Notes that `text` was seen (the last turn of a conversation, which the next request sends again), without keeping it. */
  remember(text: string): void {
    if (this.enabled) this.seenBefore(fingerprint(text))
  }

  /** Forgets every text (the hit and miss counts go on). */
  clear(): void {
    // (A map's `clear` allocates a new table even when the map is empty.)
    if (this.entries.size > 0) this.entries.clear()
    this.seen.fill(0)
    this.heldChars = 0
  }

  /** True when `key` was seen before; notes it otherwise. */
  private seenBefore(key: number): boolean {
    const slot = key & (SEEN_SLOTS - 1)
    if (this.seen[slot] === key) return true
    this.seen[slot] = key
    return false
  }

  private keep(key: number, entry: Entry): void {
    const previous = this.entries.get(key)
    if (previous !== undefined) {
      this.entries.delete(key)
      this.heldChars -= previous.text.length
    }
    this.entries.set(key, entry)
    this.heldChars += entry.text.length
    this.trim()
  }

  /** Drops the least recently used texts until the cache is within its bounds. */
  private trim(): void {
    while (this.entries.size > this.limits.entries || this.heldChars > this.limits.chars) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [number, Entry]
      this.entries.delete(oldestKey)
      this.heldChars -= oldest.text.length
    }
  }
}
