import {describe, expect, it} from 'vitest'

import {NUMBER, releaseTokens, tokenize, UNKNOWN, VOCABULARY_SIZE, wordId, wordText} from '../../../src/core/routing/classifier/tokenizer.js'
import {createPrng} from '../../../src/sim/prng.js'

function words(text: string): string[] {
  releaseTokens()
  return [...tokenize(text).ids].map(wordText)
}

const VOCABULARY = Array.from({length: VOCABULARY_SIZE}, (_, id) => wordText(id))

describe('tokenize', () => {
  it('finds every vocabulary word, whatever its case and apostrophe', () => {
    // Words that start with a digit read as numbers.
    for (const word of VOCABULARY.filter((w) => !/^\d/.test(w))) {
      for (const form of [word, word.toUpperCase(), word.replaceAll("'", '\u2019')]) {
        releaseTokens()
        const ids = [...tokenize(`(${form})`).ids]
        // Words with a joiner inside (`node.js`) or made of a language's name (`c++`) read as one token here too.
        expect(ids.map(wordText), form).toContain(word)
      }
    }
  })

  it('reads a word outside the vocabulary as unknown, never as a vocabulary word that hashes alike', () => {
    const random = createPrng(7)
    const letters = 'abcdefghijklmnopqrstuvwxyz'
    const known = new Set(VOCABULARY)
    let unknown = 0
    for (let k = 0; k < 100_000; k++) {
      const length = 1 + Math.floor(random() * 12)
      let word = ''
      for (let c = 0; c < length; c++) word += letters[Math.floor(random() * letters.length)]
      releaseTokens()
      const [id] = tokenize(word).ids
      if (known.has(word)) expect(wordText(id)).toBe(word)
      else {
        expect(id, word).toBe(UNKNOWN)
        unknown++
      }
    }
    expect(unknown).toBeGreaterThan(90_000)
  })

  it('reads near-misses of vocabulary words as unknown unless they are words of their own', () => {
    const known = new Set(VOCABULARY)
    for (const word of VOCABULARY.filter((w) => /^[a-z]{4,}$/.test(w))) {
      for (const near of [`${word}x`, word.slice(1), `${word.slice(0, -1)}${word.at(-1) === 'q' ? 'z' : 'q'}`]) {
        releaseTokens()
        const [id] = tokenize(near).ids
        expect(id, near).toBe(known.has(near) ? wordId(near) : UNKNOWN)
      }
    }
  })

  it('applies the word rules: joiners, numbers, possessives, language names, hyphens', () => {
    expect(words('Deploy node.js with CI/CD')).toEqual(['deploy', 'node.js', 'with', 'ci/cd'])
    expect(words('1,000 users')[0]).toBe('#')
    expect(tokenize('3.5').ids[0]).toBe(NUMBER)
    expect(words("Dijkstra's algorithm")).toEqual(['dijkstra', 'algorithm'])
    expect(words("Don\u2019t use C++ or C#")).toEqual(["don't", 'use', 'c++', 'or', 'c#'])
    expect(words('step-by-step')).toEqual(['step', 'by', 'step'])
  })
})
