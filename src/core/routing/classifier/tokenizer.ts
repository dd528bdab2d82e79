/**
 * The tokenizer and the vocabulary. One pass over the text's character codes finds the words, lower-cases them and
 * hashes them twice on the fly (FNV-1a and a second multiplicative hash), and looks each up by both hashes and its
 * length in an open-addressing table of the words the lexicon and the rules mention; no substring is ever created.
 * Word rules: inside a word, `.` and `/` between word characters (`node.js`, `km/h`), `,` between digits (`1,000`),
 * apostrophes between letters (`don't`; a final `'s` is dropped); `c++`, `c#` and `f#` are words. Everything else,
 * hyphens included, separates words, so `step-by-step` reads as `step by step`.
 */
import {LEXICON, RULE_WORDS, type Tag} from './lexicon.js'

/** The tokens of a text as word ids (see `wordId`), with what the tokenizer noticed on the way. */
export interface Tokens {
  /** One id per token: a vocabulary word, `NUMBER` for numbers, `UNKNOWN` for any other word. */
  ids: Int32Array
  /** Bits of `SYM`: the symbols seen between words. */
  symbols: number
  /** Sentence ends: `.`, `?` or `!` after a word and before a space or the end. */
  sentences: number
  numbers: number
  /** `snake_case` identifiers. */
  snakeCase: number
  /** A word ending in `error` or `exception` (`ZeroDivisionError`), typical of stack traces. */
  errorWords: number
  /** Tokens that start with a letter. */
  words: number
  /** Words of `LONG_WORD` characters or more (not identifiers, not dotted names): a sign of technical prose. */
  longWords: number
  /** Maths symbols beyond ASCII: superscripts and subscripts, operators (`≡`, `√`, `∫`), `ℚ`, lone Greek letters. */
  mathSymbols: number
  /**
   * Names: capitalised words (not function words such as `The` or `Which`) and single capital letters (`B`, `Q`;
   * not option labels), distinct, and those mentioned more than once. A puzzle's cast (`Ana sits left of Ben. Ben is
   * not…`) repeats. Counted in texts of up to `NAME_CHARS` characters only (0 in longer ones).
   */
  names: number
  repeatedNames: number
}

/** Id of a token that is a number (`48`, `3.5`, `1,000`). */
export const NUMBER = -2
/** Id of a word that is not in the vocabulary. */
export const UNKNOWN = -1

/** Characters whose presence gates a structural pattern: bits of `Tokens.symbols`. */
export const SYM = {
  underscore: 1,
  paren: 2,
  backtick: 4,
  dollar: 8,
  percent: 16,
  equals: 32,
  backslash: 64,
  less: 128,
  amp: 256,
  pipe: 512,
  colon: 1024,
  currency: 2048,
  question: 4096,
  quote: 8192,
} as const

const APOSTROPHE = 0x27
const RIGHT_QUOTE = 0x2019
const UNDERSCORE = 0x5f

/**
 * Word character codes of ASCII, lower-cased: `WORD_CODE[c]` is the lower-case code of `c` when `c` is a word
 * character (a-z, A-Z, 0-9, `_`) and 0 when it separates words. One load answers both questions.
 */
const ASCII_WORD_CODE = new Uint8Array(128)
for (let c = 0x61; c <= 0x7a; c++) ASCII_WORD_CODE[c] = c
for (let c = 0x41; c <= 0x5a; c++) ASCII_WORD_CODE[c] = c + 32
for (let c = 0x30; c <= 0x39; c++) ASCII_WORD_CODE[c] = c
ASCII_WORD_CODE[UNDERSCORE] = UNDERSCORE

/** Lower-case codes of ASCII characters. */
const ASCII_LOWER = new Uint8Array(128)
for (let c = 0; c < 128; c++) ASCII_LOWER[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c

const lowerCache = new Map<number, number>()

/** The lower-case code of a character of another script (through a small cache), or `c` itself below U+00C0. */
function lowerNonAscii(c: number): number {
  if (c < 0xc0) return c
  let lower = lowerCache.get(c)
  if (lower === undefined) {
    lower = String.fromCharCode(c).toLowerCase().charCodeAt(0)
    if (lowerCache.size < 4096) lowerCache.set(c, lower)
  }
  return lower
}

/** The lower-case code of any character. */
function lower(c: number): number {
  return c < 0x80 ? ASCII_LOWER[c] : lowerNonAscii(c)
}

/**
 * Word code of a character beyond ASCII: its lower-case code if that is a letter of some script, else 0.
 * Punctuation, arrows, maths operators and CJK punctuation separate words. (Wordness is judged after lower-casing:
 * the Kelvin sign reads as `k`.)
 */
function nonAsciiWordCode(c: number): number {
  const code = lowerNonAscii(c)
  if (code < 0x80) return ASCII_WORD_CODE[code]
  const word =
    code >= 0xc0 &&
    code !== 0xd7 &&
    code !== 0xf7 &&
    !(code >= 0x2000 && code <= 0x2bff) &&
    !(code >= 0x3000 && code <= 0x303f)
  return word ? code : 0
}

/** Word code (see `ASCII_WORD_CODE`) of the character at `i`, which must lie inside the text. */
function wordCodeAt(text: string, i: number): number {
  const c = text.charCodeAt(i)
  return c < 0x80 ? ASCII_WORD_CODE[c] : nonAsciiWordCode(c)
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** True when a word code (never 0) is a letter: not a digit, not `_`. */
function isLetterCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || code >= 0xc0
}

const ASCII_SYMBOL = new Uint16Array(128)
ASCII_SYMBOL[0x5f] = SYM.underscore
ASCII_SYMBOL[0x28] = SYM.paren
ASCII_SYMBOL[0x60] = SYM.backtick
ASCII_SYMBOL[0x24] = SYM.dollar | SYM.currency
ASCII_SYMBOL[0x25] = SYM.percent
ASCII_SYMBOL[0x3d] = SYM.equals
ASCII_SYMBOL[0x5c] = SYM.backslash
ASCII_SYMBOL[0x3c] = SYM.less
ASCII_SYMBOL[0x26] = SYM.amp
ASCII_SYMBOL[0x7c] = SYM.pipe
ASCII_SYMBOL[0x3a] = SYM.colon
ASCII_SYMBOL[0x3f] = SYM.question
ASCII_SYMBOL[0x22] = SYM.quote

/** Symbol bit of a (lower-cased) separator beyond ASCII: € £ ¥ ₹ are currency, ≤ counts as `<`. */
function nonAsciiSymbolBit(c: number): number {
  if (c === 0x20ac || c === 0xa3 || c === 0xa5 || c === 0x20b9) return SYM.currency
  return c === 0x2264 ? SYM.less : 0
}

// Character information, one integer per character: the word code (see `ASCII_WORD_CODE`) in the low 16 bits, 0 for
// a separator; a separator's `SYM` bits from bit 16; and two flags. One load tells the scanner all it needs about a
// character. Precomputed for ASCII; other characters go through `nonAsciiInfo`.
const WORD = 0xffff
const SYMBOL_SHIFT = 16
const SYMBOL_BITS = 0x3fff
/** `.`, `?` or `!`: may end a sentence. */
const SENTENCE_END = 1 << 30
/** `.`, `/`, `,` or an apostrophe: may join two parts of a word (`node.js`, `km/h`, `1,000`, `don't`). */
const JOINER = 1 << 31

/** Information of a separator whose lower-case code is `c`. */
function separatorInfo(c: number): number {
  const symbol = c < 0x80 ? ASCII_SYMBOL[c] : nonAsciiSymbolBit(c)
  const sentence = c === 0x2e || c === 0x3f || c === 0x21 ? SENTENCE_END : 0
  const joiner = c === 0x2e || c === 0x2f || c === 0x2c || c === APOSTROPHE || c === RIGHT_QUOTE ? JOINER : 0
  return (symbol << SYMBOL_SHIFT) | sentence | joiner
}

const ASCII_INFO = new Int32Array(128)
for (let c = 0; c < 128; c++) ASCII_INFO[c] = ASCII_WORD_CODE[c] !== 0 ? ASCII_WORD_CODE[c] : separatorInfo(c)

/** Information of a character beyond ASCII (judged, like its wordness, after lower-casing). */
function nonAsciiInfo(c: number): number {
  const code = nonAsciiWordCode(c)
  return code !== 0 ? code : separatorInfo(lowerNonAscii(c))
}

/** True when the word ending at `end` ends with `suffix` (lower case), ignoring case. */
function endsWithWord(text: string, end: number, suffix: string): boolean {
  const start = end - suffix.length
  if (start < 0) return false
  for (let k = 0; k < suffix.length; k++) if (lower(text.charCodeAt(start + k)) !== suffix.charCodeAt(k)) return false
  return true
}

const FNV_OFFSET = 0x811c9dc5 | 0
const FNV_PRIME = 16777619
// A second hash of the same characters, with other constants: a word is found by both hashes and its length (two
// 32-bit hashes agree by chance about once in 2^64 pairs), with no second pass over its characters.
const ALT_OFFSET = 0x9747b28c | 0
const ALT_PRIME = 0x5bd1e995

// The token arena: `tokenize` writes each text's ids after the previous text's and returns a view of them, so a
// request's texts share one buffer and no typed array is allocated per text (allocating one costs microseconds).
// `releaseTokens` rewinds it. The spans beside it are read by `splitWords` only.
let arena: Int32Array = new Int32Array(4096)
let spanStart: Int32Array = new Int32Array(4096)
let spanEnd: Int32Array = new Int32Array(4096)
/** Where the next text's ids go. */
let arenaEnd = 0
/** Where the ids of the text being scanned start. */
let textStart = 0

/**
 * Moves the text being scanned (its first `count` tokens) to a new, larger arena, which the texts after it share.
 * Views handed out before keep the old buffer, which is freed with them: memory follows the live texts, even if
 * `releaseTokens` is never called.
 */
function growArena(count: number): void {
  // Twice as large (a request's texts then fit in one arena), but never more than 64 Ki ids unless one text needs it.
  const size = Math.max(4 * count, Math.min(2 * arena.length, 1 << 16))
  const move = (a: Int32Array): Int32Array => {
    const b = new Int32Array(size)
    b.set(a.subarray(textStart, textStart + count))
    return b
  }
  arena = move(arena)
  spanStart = move(spanStart)
  spanEnd = move(spanEnd)
  textStart = 0
}

/**
 * Lets the next texts reuse the memory of every `Tokens.ids` returned so far. Call it only when none of them is read
 * any more (the classifier does, as a request starts): a later `tokenize` overwrites them.
 */
export function releaseTokens(): void {
  arenaEnd = 0
}

// The vocabulary: every word of the lexicon and of the rules, in an open-addressing hash table keyed by the two
// hashes and the length of the word (lower-cased, curly apostrophes read as straight).
const WORDS: string[] = []
const WORD_IDS = new Map<string, number>()
// Slot `k` holds a word's hash at `4k`, its second hash at `4k + 1`, its id at `4k + 2` and its length at `4k + 3`
// (side by side: one cache line). An empty table of one slot until `buildVocabulary` fills it (the lexicon is split
// into words before).
let table = new Int32Array([0, 0, UNKNOWN, 0])
let tableMask = 0

function lookup(length: number, hash: number, alt: number): number {
  let slot = hash & tableMask
  for (let id = table[4 * slot + 2]; id !== UNKNOWN; id = table[4 * slot + 2]) {
    if (table[4 * slot] === hash && table[4 * slot + 1] === alt && table[4 * slot + 3] === length) return id
    slot = (slot + 1) & tableMask
  }
  return UNKNOWN
}

/** Counts of one scan, kept in module state so that scanning allocates nothing but the ids it returns. */
const counts = {
  symbols: 0,
  sentences: 0,
  numbers: 0,
  snakeCase: 0,
  errorWords: 0,
  words: 0,
  longWords: 0,
  mathSymbols: 0,
  names: 0,
  repeatedNames: 0,
}

/** Length from which a word counts as long (`LONG_WORD` letters: `equilibrium`, `heterozygous`, `hydrochloric`). */
const LONG_WORD = 9

/** True for a maths symbol beyond ASCII (see `Tokens.mathSymbols`); the degree sign is not one. */
function isMathSymbol(c: number): boolean {
  return (
    c === 0xb2 ||
    c === 0xb3 ||
    c === 0xb9 ||
    c === 0xd7 ||
    c === 0xf7 ||
    // Superscript and subscript digits and letters, not their signs (`K⁺` is chemistry).
    (c >= 0x2070 && c <= 0x2079) ||
    (c >= 0x207d && c <= 0x2089) ||
    (c >= 0x208d && c <= 0x209f) ||
    (c >= 0x2100 && c <= 0x214f) ||
    // Operators, but not the comparisons, which bound a programming problem's inputs as often (`1 ≤ n ≤ 10⁵`).
    (c >= 0x2200 && c <= 0x225f) ||
    (c >= 0x2266 && c <= 0x23ff) ||
    (c >= 0x27c0 && c <= 0x27ef) ||
    (c >= 0x2a00 && c <= 0x2aff)
  )
}

/** A lone Greek letter or `ħ` as a word (`ε`, `π`, `σ`): a maths variable, not Greek prose. */
function isSymbolLetter(c: number): boolean {
  return (c >= 0x391 && c <= 0x3c9) || c === 0x127 || c === 0x126
}

// Names seen in the text being scanned: the two hashes of each distinct name and how often it came. Only texts of up
// to `NAME_CHARS` characters are watched, for at most `MAX_NAMES` names: a puzzle is short and its cast small, and a
// long text is spared the cost.
const MAX_NAMES = 32
const NAME_CHARS = 3000
const nameHash = new Int32Array(MAX_NAMES)
const nameAlt = new Int32Array(MAX_NAMES)
const nameCount = new Uint16Array(MAX_NAMES)
/** Vocabulary words that are not names when capitalised (`The`, `Which`, `If`), by id; filled with the vocabulary. */
let notNames = new Uint8Array(0)

/** True when the character at `i` is the first visible one of its line (only spaces or tabs before it). */
export function atLineStart(text: string, i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    const c = text.charCodeAt(k)
    if (c === 0x0a) return true
    if (c !== 0x20 && c !== 0x09) return false
  }
  return true
}

/**
 * The scanner: finds the words of `text`, writes their ids to the arena from `textStart` (`arenaEnd`, unless the
 * arena had to grow) on, and their spans beside them if asked, fills `counts`, and returns the number of words.
 */
function scan(text: string, recordSpans: boolean): number {
  textStart = arenaEnd
  let count = 0
  // The information of every separator, or-ed together: its `SYM` bits are read at the end.
  let separators = 0
  let symbols = 0
  let sentences = 0
  let numbers = 0
  let snakeCase = 0
  let errorWords = 0
  let longWords = 0
  let mathSymbols = 0
  let names = 0
  let repeatedNames = 0
  const n = text.length
  const watchNames = !recordSpans && n <= NAME_CHARS
  let i = 0
  while (i < n) {
    const initial = text.charCodeAt(i)
    const info = initial < 0x80 ? ASCII_INFO[initial] : nonAsciiInfo(initial)
    const first = info & WORD
    if (first === 0) {
      separators |= info
      if (initial >= 0x80 && isMathSymbol(initial)) mathSymbols++
      // A sentence end follows a word of two letters or more (not the `A.` of an option list), or a one-digit
      // number inside a line (`numbered 1 to 5.`; not the `1.` of a numbered list).
      if (
        (info & SENTENCE_END) !== 0 &&
        i > 1 &&
        wordCodeAt(text, i - 1) !== 0 &&
        (wordCodeAt(text, i - 2) !== 0 || (isDigit(text.charCodeAt(i - 1)) && text.charCodeAt(i - 2) === 0x20))
      ) {
        const next = i + 1 < n ? lower(text.charCodeAt(i + 1)) : 0x20
        if (next === 0x20 || next === 0x0a || next === 0x09 || next === 0x0d) sentences++
      }
      i++
      continue
    }
    const start = i
    let hash = Math.imul(FNV_OFFSET ^ first, FNV_PRIME)
    let alt = Math.imul(ALT_OFFSET ^ first, ALT_PRIME)
    let quoteAt = -1
    let hashBeforeQuote = 0
    let altBeforeQuote = 0
    let underscoreAt = first === UNDERSCORE ? i : -1
    let dotted = false
    i++
    while (i < n) {
      const raw = text.charCodeAt(i)
      const info = raw < 0x80 ? ASCII_INFO[raw] : nonAsciiInfo(raw)
      const code = info & WORD
      if (code !== 0) {
        if (code === UNDERSCORE && underscoreAt === -1) underscoreAt = i
        hash = Math.imul(hash ^ code, FNV_PRIME)
        alt = Math.imul(alt ^ code, ALT_PRIME)
        i++
        continue
      }
      if ((info & JOINER) === 0) break
      // A separator inside a word? (The character before it is always a word character here.)
      const c = raw < 0x80 ? raw : lowerNonAscii(raw)
      if (c === 0x2e || c === 0x2f) {
        if (i + 1 < n && wordCodeAt(text, i + 1) !== 0) {
          dotted = true
          hash = Math.imul(hash ^ c, FNV_PRIME)
          alt = Math.imul(alt ^ c, ALT_PRIME)
          i++
          continue
        }
      } else if (c === 0x2c) {
        if (i + 1 < n && isDigit(lower(text.charCodeAt(i - 1))) && isDigit(lower(text.charCodeAt(i + 1)))) {
          hash = Math.imul(hash ^ c, FNV_PRIME)
          alt = Math.imul(alt ^ c, ALT_PRIME)
          i++
          continue
        }
      } else if (c === APOSTROPHE || c === RIGHT_QUOTE) {
        if (i + 1 < n && isLetterCode(wordCodeAt(text, i - 1)) && isLetterCode(wordCodeAt(text, i + 1))) {
          quoteAt = i
          hashBeforeQuote = hash
          altBeforeQuote = alt
          hash = Math.imul(hash ^ APOSTROPHE, FNV_PRIME)
          alt = Math.imul(alt ^ APOSTROPHE, ALT_PRIME)
          i++
          continue
        }
      }
      break
    }
    let end = i
    // A final `'s` is dropped: `dijkstra's` reads as `dijkstra`.
    if (quoteAt === end - 2 && wordCodeAt(text, end - 1) === 0x73) {
      end = quoteAt
      hash = hashBeforeQuote
      alt = altBeforeQuote
    }
    // c++, c#, f#: the symbols are part of the language's name.
    if (end - start === 1 && (first === 0x63 || first === 0x66) && i < n) {
      if (lower(text.charCodeAt(i)) === 0x2b && i + 1 < n && lower(text.charCodeAt(i + 1)) === 0x2b) {
        hash = Math.imul(Math.imul(hash ^ 0x2b, FNV_PRIME) ^ 0x2b, FNV_PRIME)
        alt = Math.imul(Math.imul(alt ^ 0x2b, ALT_PRIME) ^ 0x2b, ALT_PRIME)
        i += 2
        end = i
      } else if (lower(text.charCodeAt(i)) === 0x23) {
        hash = Math.imul(hash ^ 0x23, FNV_PRIME)
        alt = Math.imul(alt ^ 0x23, ALT_PRIME)
        i += 1
        end = i
      }
    }
    if (
      underscoreAt > start &&
      underscoreAt < end - 1 &&
      lower(text.charCodeAt(underscoreAt + 1)) !== UNDERSCORE &&
      isLetterCode(first)
    ) {
      snakeCase++
      symbols |= SYM.underscore
    }
    if (end - start > 8 && (endsWithWord(text, end, 'error') || endsWithWord(text, end, 'exception'))) errorWords++
    if (textStart + count === arena.length) growArena(count)
    const slot = textStart + count
    // Capitalised: a name, unless a function word, a label or the article `A` or the pronoun `I` (see `noteName`).
    let name = watchNames && initial >= 0x41 && initial <= 0x5a
    if (isDigit(first)) {
      arena[slot] = NUMBER
      numbers++
    } else if (end - start > 1) {
      const id = lookup(end - start, hash, alt)
      arena[slot] = id
      if (end - start >= LONG_WORD && underscoreAt === -1 && !dotted) longWords++
      name &&= isName(text, end, id)
    } else {
      // One letter: a label (`c)`, `B.` opening a line) is not a word; a lone Greek letter is a maths variable.
      const label = end < n && isLabel(text, start, end)
      arena[slot] = label ? UNKNOWN : lookup(1, hash, alt)
      if (first >= 0x80 && isSymbolLetter(first)) mathSymbols++
      name &&= !label && initial !== 0x41 && initial !== 0x49
    }
    if (name) {
      const seen = noteName(hash, alt, names)
      if (seen === -1) names = Math.min(MAX_NAMES, names + 1)
      else if (seen === 2) repeatedNames++
    }
    // Only `splitWords` reads the spans: storing them for every text would cost a sixth of the scan.
    if (recordSpans) {
      spanStart[slot] = start
      spanEnd[slot] = end
    }
    count++
  }
  counts.symbols = symbols | ((separators >>> SYMBOL_SHIFT) & SYMBOL_BITS)
  counts.sentences = sentences
  counts.numbers = numbers
  counts.snakeCase = snakeCase
  counts.errorWords = errorWords
  counts.words = count - numbers
  counts.longWords = longWords
  counts.mathSymbols = mathSymbols
  counts.names = names
  counts.repeatedNames = repeatedNames
  return count
}

/**
 * True when the one-letter word `[start, end)` is a label or a function, not a word (nor the language C or R): glued
 * to a closing parenthesis (`c)`, `(B)`), a capital glued to an opening one (`C(X)`; `function f(x)` keeps its
 * `f`), or a letter with a full stop or colon opening a line (`C. the connected components`).
 */
function isLabel(text: string, start: number, end: number): boolean {
  const next = text.charCodeAt(end)
  if (next === 0x29 || (next === 0x28 && text.charCodeAt(start) <= 0x5a)) return true
  return (next === 0x2e || next === 0x3a) && atLineStart(text, start)
}

/**
 * True when a capitalised word of two letters or more (its id `id`, ending at `end`) may be a name: not a function
 * word, not a speaker or field label (`Anna:`).
 */
function isName(text: string, end: number, id: number): boolean {
  return !(id >= 0 && notNames[id] === 1) && !(end < text.length && text.charCodeAt(end) === 0x3a)
}

/**
 * Notes a name (by its two hashes) among the `known` ones seen in this text: returns how often it has now been seen,
 * or -1 when it is new (it is kept if there is room).
 */
function noteName(hash: number, alt: number, known: number): number {
  for (let k = 0; k < known; k++) if (nameHash[k] === hash && nameAlt[k] === alt) return ++nameCount[k]
  if (known < MAX_NAMES) {
    nameHash[known] = hash
    nameAlt[known] = alt
    nameCount[known] = 1
  }
  return -1
}

/** Tokenizes text into word ids (case-insensitive). The ids are a view of the token arena (see `releaseTokens`). */
export function tokenize(text: string): Tokens {
  const count = scan(text, false)
  arenaEnd = textStart + count
  return {
    ids: arena.subarray(textStart, arenaEnd),
    symbols: counts.symbols,
    sentences: counts.sentences,
    numbers: counts.numbers,
    snakeCase: counts.snakeCase,
    errorWords: counts.errorWords,
    words: counts.words,
    longWords: counts.longWords,
    mathSymbols: counts.mathSymbols,
    names: counts.names,
    repeatedNames: counts.repeatedNames,
  }
}

/** Splits lower-case text into words with the tokenizer's rules (used to build the vocabulary). */
export function splitWords(lowerText: string): string[] {
  const count = scan(lowerText, true)
  const words: string[] = []
  for (let k = textStart; k < textStart + count; k++)
    words.push(lowerText.slice(spanStart[k], spanEnd[k]).toLowerCase().replaceAll('\u2019', "'"))
  return words
}

function hashWord(word: string, offset: number, prime: number): number {
  let hash = offset
  for (let k = 0; k < word.length; k++) hash = Math.imul(hash ^ word.charCodeAt(k), prime)
  return hash
}

/** A lexicon term split into vocabulary words, in lexicon order. */
export interface LexiconPhrase {
  tag: Tag
  term: string
  w: number
  words: string[]
}

/** The lexicon's terms as phrases of words, tag by tag in `LEXICON` order. */
export const PHRASES: readonly LexiconPhrase[] = (Object.keys(LEXICON) as Tag[]).flatMap((tag) =>
  LEXICON[tag].flatMap((spec) => {
    const [term, w] = typeof spec === 'string' ? [spec, 1] : spec
    const words = splitWords(term.toLowerCase())
    return words.length > 0 ? [{tag, term, w, words}] : []
  }),
)

function buildVocabulary(words: Iterable<string>): void {
  for (const word of words) {
    if (!WORD_IDS.has(word)) {
      WORD_IDS.set(word, WORDS.length)
      WORDS.push(word)
    }
  }
  let size = 1
  while (size < WORDS.length * 4) size *= 2
  table = new Int32Array(4 * size)
  for (let slot = 0; slot < size; slot++) table[4 * slot + 2] = UNKNOWN
  tableMask = size - 1
  const keys = new Map<string, string>()
  for (const [id, word] of WORDS.entries()) {
    // The scanner hashes lower-cased characters and straight apostrophes: a word of any other form is never found.
    for (let k = 0; k < word.length; k++) {
      const code = word.charCodeAt(k)
      if (lower(code) !== code || code === RIGHT_QUOTE)
        throw new Error(`vocabulary word "${word}" is not in lower case`)
    }
    const hash = hashWord(word, FNV_OFFSET, FNV_PRIME)
    const alt = hashWord(word, ALT_OFFSET, ALT_PRIME)
    const key = `${hash}:${alt}:${word.length}`
    if (keys.has(key)) throw new Error(`vocabulary words "${keys.get(key)}" and "${word}" have the same hashes`)
    keys.set(key, word)
    let slot = hash & tableMask
    while (table[4 * slot + 2] !== UNKNOWN) slot = (slot + 1) & tableMask
    table[4 * slot] = hash
    table[4 * slot + 1] = alt
    table[4 * slot + 2] = id
    table[4 * slot + 3] = word.length
  }
}

buildVocabulary([...PHRASES.flatMap((p) => p.words), ...Object.values(RULE_WORDS).flat()])

/** Number of words in the vocabulary (ids run from 0 to this, exclusive). */
export const VOCABULARY_SIZE = WORDS.length

notNames = new Uint8Array(VOCABULARY_SIZE)
for (const word of RULE_WORDS.notNames) notNames[WORD_IDS.get(word)!] = 1

/** Id of a vocabulary word (`UNKNOWN` if the lexicon and the rules never mention it). */
export function wordId(word: string): number {
  return WORD_IDS.get(word) ?? UNKNOWN
}

/** A set of vocabulary words, by id: one byte per vocabulary word, so a membership test is one load. */
export class WordSet {
  private readonly members = new Uint8Array(VOCABULARY_SIZE)

  constructor(words: readonly string[]) {
    for (const word of words) {
      const id = wordId(word)
      // Every rule word is put in the vocabulary when it is built, so this is a programming error.
      if (id === UNKNOWN) throw new Error(`"${word}" is not in the classifier's vocabulary`)
      this.members[id] = 1
    }
  }

  /** True when `id` is one of the words (never for `NUMBER`, `UNKNOWN`, or a missing token). */
  has(id: number | undefined): boolean {
    return id !== undefined && id >= 0 && this.members[id] === 1
  }
}

/** Ids of vocabulary words, as a set. */
export function wordIds(words: readonly string[]): WordSet {
  return new WordSet(words)
}

/** The word of an id (`#` for a number, `?` for an unknown word). */
export function wordText(id: number): string {
  return id === NUMBER ? '#' : (WORDS[id] ?? '?')
}
