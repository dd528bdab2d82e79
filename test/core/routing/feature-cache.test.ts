import {describe, expect, it} from 'vitest'

import {classifierCacheStats, classifyRequest, clearClassifierCache} from '../../../src/core/routing/classifier.js'
import {FeatureCache, fingerprint} from '../../../src/core/routing/classifier/feature-cache.js'
import {scanText, type ScanWindow} from '../../../src/core/routing/classifier/scan.js'
import {releaseTokens, wordText} from '../../../src/core/routing/classifier/tokenizer.js'

const WINDOW: ScanWindow = {head: 3000, tail: 1000}
const WIDE: ScanWindow = {head: 8000, tail: 4000}

/** A cache over the real `scanText` that counts how often it reads a text. */
function countingCache(limits?: {entries: number; chars: number}): {cache: FeatureCache; reads: () => number} {
  let reads = 0
  const cache = new FeatureCache((text, window) => {
    reads++
    return scanText(text, window)
  }, limits)
  return {cache, reads: () => reads}
}

function prose(words: number, seed = 0): string {
  const vocabulary = [
    'deploy',
    'the',
    'service',
    'with',
    'a',
    'queue',
    'and',
    'retry',
    'failed',
    'orders',
    'twice',
    'per',
    'minute',
  ]
  return Array.from({length: words}, (_, k) => vocabulary[(k * 7 + seed) % vocabulary.length]).join(' ')
}

describe('FeatureCache', () => {
  it('reads a text the first two times, keeps it the second, and serves it from then on', () => {
    const {cache, reads} = countingCache()
    const text = prose(200)
    const first = cache.features(text, WINDOW)
    expect(reads()).toBe(1)
    expect(cache.size).toBe(0)
    const second = cache.features(text, WINDOW)
    expect(reads()).toBe(2)
    expect(cache.size).toBe(1)
    expect(cache.chars).toBe(text.length)
    const third = cache.features(`${text}`, WINDOW)
    expect(reads()).toBe(2)
    expect(third).toBe(second)
    expect([...third.ids]).toEqual([...first.ids])
  })

  it('keeps word ids that later texts cannot overwrite', () => {
    const {cache} = countingCache()
    const text = prose(120)
    releaseTokens()
    cache.features(text, WINDOW)
    releaseTokens()
    const kept = cache.features(text, WINDOW)
    const words = [...kept.ids].map(wordText)
    // The classifier rewinds the token arena for every request: other texts now write where these ids were read.
    releaseTokens()
    scanText(prose(300, 5), WINDOW)
    expect([...cache.features(text, WINDOW).ids].map(wordText)).toEqual(words)
    releaseTokens()
    expect(words).toEqual([...scanText(text, WINDOW).ids].map(wordText))
    expect(words.slice(0, 3)).toEqual(['deploy', '?', 'the'])
  })

  it('keeps a text on its first look-up once `remember` noted it (the last turn, sent again as an earlier one)', () => {
    const {cache, reads} = countingCache()
    const text = prose(100)
    cache.remember(text)
    expect(cache.size).toBe(0)
    cache.features(text, WINDOW)
    cache.features(text, WINDOW)
    expect(reads()).toBe(1)
    expect(cache.size).toBe(1)
  })

  it('reads a long text again through another window, and a short one through any window', () => {
    const {cache, reads} = countingCache()
    const long = prose(2500)
    expect(long.length).toBeGreaterThan(WIDE.head + WIDE.tail)
    cache.features(long, WINDOW)
    cache.features(long, WINDOW)
    const narrow = cache.features(long, WINDOW)
    expect(reads()).toBe(2)
    const wide = cache.features(long, WIDE)
    expect(reads()).toBe(3)
    expect(wide.ids.length).toBeGreaterThan(narrow.ids.length)
    expect(wide.ids.length).toBe(scanText(long, WIDE).ids.length)

    const short = prose(300)
    expect(short.length).toBeLessThan(WINDOW.head + WINDOW.tail)
    cache.features(short, WINDOW)
    cache.features(short, WINDOW)
    const before = reads()
    cache.features(short, WIDE)
    expect(reads()).toBe(before)
  })

  it('never takes a text that shares the fingerprint for another: it compares the whole text', () => {
    const {cache} = countingCache()
    const text = `${prose(400)} ${'x'.repeat(50)}`
    // Change one character the fingerprint does not read.
    let at = -1
    for (let k = 20; k < text.length - 20 && at === -1; k++) {
      const other = `${text.slice(0, k)}${text[k] === 'q' ? 'z' : 'q'}${text.slice(k + 1)}`
      if (fingerprint(other) === fingerprint(text)) at = k
    }
    expect(at).toBeGreaterThan(-1)
    const twin = `${text.slice(0, at)}${text[at] === 'q' ? 'z' : 'q'}${text.slice(at + 1)}`
    expect(twin).not.toBe(text)
    expect(fingerprint(twin)).toBe(fingerprint(text))
    cache.features(text, WINDOW)
    cache.features(text, WINDOW)
    expect(cache.size).toBe(1)
    expect([...cache.features(twin, WINDOW).ids]).toEqual([...scanText(twin, WINDOW).ids])
  })

  it('stays within its bounds, dropping the least recently used texts first', () => {
    const {cache, reads} = countingCache({entries: 3, chars: 1_000_000})
    const texts = [0, 1, 2, 3].map((seed) => `${seed} ${prose(100, seed)}`)
    for (const text of texts.slice(0, 3)) {
      cache.features(text, WINDOW)
      cache.features(text, WINDOW)
    }
    expect(cache.size).toBe(3)
    // Use the oldest, so the second becomes the least recently used.
    cache.features(texts[0], WINDOW)
    cache.features(texts[3], WINDOW)
    cache.features(texts[3], WINDOW)
    expect(cache.size).toBe(3)
    const before = reads()
    cache.features(texts[0], WINDOW)
    cache.features(texts[2], WINDOW)
    cache.features(texts[3], WINDOW)
    expect(reads()).toBe(before)
    cache.features(texts[1], WINDOW)
    expect(reads()).toBe(before + 1)

    const small = countingCache({entries: 100, chars: 1000}).cache
    const long = prose(150)
    expect(long.length).toBeGreaterThan(600)
    for (const text of [long, `${long} b`]) {
      small.features(text, WINDOW)
      small.features(text, WINDOW)
    }
    expect(small.size).toBe(1)
    expect(small.chars).toBe(long.length + 2)
    const tooLong = prose(400)
    small.features(tooLong, WINDOW)
    small.features(tooLong, WINDOW)
    expect(small.chars).toBeLessThanOrEqual(1000)
  })
})

describe('FeatureCache: bounds changed at run time', () => {
  it('reads every text and keeps none when a bound is 0, and keeps again when it is raised', () => {
    const {cache, reads} = countingCache()
    const text = prose(100)
    cache.features(text, WINDOW)
    cache.features(text, WINDOW)
    expect(cache.size).toBe(1)
    cache.setLimits({entries: 1024, chars: 0})
    expect(cache.enabled).toBe(false)
    expect(cache.size).toBe(0)
    expect(cache.chars).toBe(0)
    const before = reads()
    for (let k = 0; k < 3; k++) cache.features(text, WINDOW)
    cache.remember(text)
    expect(reads()).toBe(before + 3)
    expect(cache.stats()).toMatchObject({texts: 0, chars: 0, hits: 0, misses: 2})

    cache.setLimits({entries: 2, chars: 1_000_000})
    cache.features(text, WINDOW)
    cache.features(text, WINDOW)
    cache.features(text, WINDOW)
    expect(cache.size).toBe(1)
    expect(cache.stats().hits).toBe(1)
  })

  it('drops the least recently used texts that no longer fit a lower bound', () => {
    const {cache, reads} = countingCache()
    const texts = [0, 1, 2].map((seed) => `${seed} ${prose(100, seed)}`)
    for (const text of texts) {
      cache.features(text, WINDOW)
      cache.features(text, WINDOW)
    }
    cache.features(texts[0], WINDOW)
    cache.setLimits({entries: 2, chars: 1_000_000})
    expect(cache.size).toBe(2)
    const before = reads()
    cache.features(texts[0], WINDOW)
    cache.features(texts[2], WINDOW)
    expect(reads()).toBe(before)
    cache.features(texts[1], WINDOW)
    expect(reads()).toBe(before + 1)
  })
})

describe('classifyRequest: the cache of earlier texts', () => {
  const system = `You are the support assistant of an online bookshop. ${prose(120)}`
  const question = `Could you compare the two delivery options for my order? ${prose(80, 3)}`
  const conversation = (turns: string[]) => ({
    model: 'auto',
    messages: [
      {role: 'system', content: system},
      ...turns.map((content, k) => ({role: k % 2 === 0 ? 'user' : 'assistant', content})),
    ],
  })

  it('keeps the system prompt and earlier turns, not the new question, and decides exactly as when cold', () => {
    clearClassifierCache()
    const first = conversation([question])
    const cold = classifyRequest(first, 'chat.completions')
    expect(classifierCacheStats().texts).toBe(0)
    expect(classifyRequest(first, 'chat.completions')).toEqual(cold)
    // Seen twice: the system prompt is kept; the question, the last user turn, is not.
    expect(classifierCacheStats().texts).toBe(1)
    expect(classifierCacheStats().chars).toBe(system.length)

    const answer = `There are two options: standard and express. ${prose(90, 1)}`
    const next = conversation([question, answer, 'And which one is cheaper for three books?'])
    const warm = classifyRequest(next, 'chat.completions')
    // The question was noted as the last turn, so it is kept now that it comes back as an earlier one.
    expect(classifierCacheStats().texts).toBe(2)
    clearClassifierCache()
    expect(classifyRequest(next, 'chat.completions')).toEqual(warm)
  })
})
