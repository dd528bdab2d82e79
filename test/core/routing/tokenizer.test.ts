import {describe, expect, it} from 'vitest'

import {
  NUMBER,
  releaseTokens,
  tokenize,
  UNKNOWN,
  VOCABULARY_SIZE,
  wordId,
  wordText,
} from '../../../src/core/routing/classifier/tokenizer.js'
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
        const ids = [...tokenize(`[${form}]`).ids]
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
    expect(words('Don\u2019t use C++ or C#')).toEqual(["don't", 'use', 'c++', 'or', 'c#'])
    expect(words('step-by-step')).toEqual(['step', 'by', 'step'])
  })

  it('reads a letter glued to a parenthesis, or opening a line as a label, as a label, not the language C or R', () => {
    expect(words('c) two boys play a game')[0]).toBe('?')
    expect(words('(C) the answer')[0]).toBe('?')
    expect(words('the ring C(X) of functions')[2]).toBe('?')
    expect(words('A. one\nC. the connected components')[2]).toBe('?')
    // A lower-case function name and the language in a sentence stay words.
    expect(words('the function f(x) = 2x')).toContain('f')
    expect(words('Write it in C.')).toContain('c')
  })

  it('counts long words, maths symbols beyond ASCII, and names mentioned more than once', () => {
    releaseTokens()
    const prose = tokenize('An ideal monatomic gas expands adiabatically from node.js_config to snake_case_identifier.')
    expect(prose.words).toBe(10)
    // `monatomic`, `adiabatically`; not the dotted name nor the identifier.
    expect(prose.longWords).toBe(2)
    releaseTokens()
    // x³, x⁴, x², ε and ℚ; not the arrow, the ion's charge or the comparison.
    expect(tokenize('Simplify (x³ · x⁴) / x² when ε → 0, in ℚ; K⁺ and 1 ≤ n are not counted').mathSymbols).toBe(5)
    releaseTokens()
    const puzzle = tokenize(
      'Ana sits left of Ben. Ben is not next to Cy. The blue book is not B. Which seat is B in? Who is Ana?',
    )
    // Ana, Ben and B come back; Cy once; The, Which and Who are function words.
    expect([puzzle.names, puzzle.repeatedNames]).toEqual([4, 3])
    releaseTokens()
    const labels = tokenize('A says B lies.\nA. yes\nB. no\nAnna: hello. Anna: bye.')
    // `B` twice (a name, then a label), `A` never (an article or a label), `Anna:` a speaker.
    expect([labels.names, labels.repeatedNames]).toEqual([1, 0])
  })
})
