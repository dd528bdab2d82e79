/**
 * Text scanning: one pass of a hand-written tokenizer plus a phrase trie (whole words only, longest phrase first),
 * then a few precompiled structural regexes (code lines, stack traces, LaTeX, numbers, explicit output constraints).
 * Nothing here is compiled per call, and no regex can backtrack catastrophically (no nested unbounded quantifiers).
 */
import {LEXICON, RULE_WORDS, type Tag} from './lexicon.js'

/** A lexicon term as stored in the phrase trie. */
export interface TrieTerm {
  tag: Tag
  /** Index of the tag in `TAG_INDEX`, for allocation-free bookkeeping while matching. */
  tagId: number
  term: string
  /** Multiplier of the tag's weight. */
  w: number
}

/** One lexicon match in a text: the term (shared with the trie) and where it lies, in tokens. */
export class Hit {
  constructor(
    private readonly ref: TrieTerm,
    /** Token index where the match starts, and one past where it ends. */
    readonly pos: number,
    readonly end: number,
  ) {}

  get tag(): Tag {
    return this.ref.tag
  }

  /** The lexicon term (not the prompt's text). */
  get term(): string {
    return this.ref.term
  }

  /** Multiplier of the tag's weight. */
  get w(): number {
    return this.ref.w
  }
}

/** Everything the classifier reads from one text. Counts cover the scanned window; `scale` extrapolates them. */
export interface TextFeatures {
  /** Exact length of the text in characters. */
  chars: number
  /** Length of the text divided by the scanned length (1 unless the text was longer than the window). */
  scale: number
  /** Word ids of the scanned window (see `wordId`, `NUMBER`, `UNKNOWN`). */
  ids: Int32Array
  /** Lexicon hits grouped by tag. */
  byTag: TagHits
  /** Tokens that are numbers (`48`, `3.5`, `1,000`). */
  numbers: number
  lines: number
  codeLines: number
  jsonLines: number
  fences: number
  fenceLangs: string[]
  stackTraces: number
  /** snake_case identifiers, camelCase calls, `obj.method(` calls. */
  inlineCode: number
  /** Backtick spans with code punctuation (`const [a] = b;`). */
  codeSpans: number
  /** Quantified statements (`All X are Y`, `Some Y are Z`). */
  syllogisms: number
  /** Swap, switch or trade verbs (object-tracking puzzles swap things several times). */
  swaps: number
  /** `What has keys but can't open locks?` */
  riddles: number
  /** `True and not False or (False)`. */
  booleanExpressions: number
  /** Rules about punctuation or case, and `each X must …` rules. */
  punctuationRules: number
  /** Code operators in prose (`==`, `&&`, `=>`, `::`). */
  codeOperators: number
  /** Programming-problem statements: `Input: nums = …`, `1 <= n <= 10^5`, `The first line contains`. */
  problemIO: number
  bigO: number
  latex: number
  /** Arithmetic expressions, `N divided by M`, equations with a coefficient (`2x + 3 = 7`). */
  arithmetic: number
  percentOf: number
  currency: number
  percents: number
  questions: number
  sentences: number
  listItems: number
  /** Multiple-choice options (`(A) …`, `B. …`). */
  options: number
  /** `at least 3 paragraphs`, `a 300-word essay`, `exactly twice`. */
  countedConstraints: number
  /** `the letter "q"`, `letters a or e`. */
  letterConstraints: number
  /** `<<title>>`. */
  angleTitle: number
}

const APOSTROPHE = 0x27
const RIGHT_QUOTE = 0x2019

/** ASCII word characters of lower-case text: a-z, 0-9, `_`. */
const ASCII_WORD = new Uint8Array(128)
for (let c = 0x61; c <= 0x7a; c++) ASCII_WORD[c] = 1
for (let c = 0x30; c <= 0x39; c++) ASCII_WORD[c] = 1
ASCII_WORD[0x5f] = 1

function isWordCode(c: number): boolean {
  if (c < 0x80) return ASCII_WORD[c] === 1
  // Letters of other scripts count; punctuation, arrows, maths operators and CJK punctuation do not.
  return c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && !(c >= 0x2000 && c <= 0x2bff) && !(c >= 0x3000 && c <= 0x303f)
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && isWordCode(c))
}

/** Characters whose presence gates a structural pattern: bits of `Tokens.symbols`. */
const SYM = {
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

function symbolBit(c: number): number {
  if (c < 0x80) return ASCII_SYMBOL[c]
  if (c === 0x20ac || c === 0xa3 || c === 0xa5 || c === 0x20b9) return SYM.currency // € £ ¥ ₹
  return c === 0x2264 ? SYM.less : 0 // ≤
}

/** The tokens of a text as word ids (see `wordId`), with what the tokenizer noticed on the way. */
export interface Tokens {
  /** One id per token: a vocabulary word, `NUMBER` for numbers, `UNKNOWN` for any other word. */
  ids: Int32Array
  symbols: number
  /** Sentence ends: `.`, `?` or `!` after a word and before a space or the end. */
  sentences: number
  numbers: number
  /** `snake_case` identifiers. */
  snakeCase: number
  /** A word ending in `error` or `exception` (`ZeroDivisionError`), typical of stack traces. */
  errorWords: number
}

/** Id of a token that is a number (`48`, `3.5`, `1,000`). */
export const NUMBER = -2
/** Id of a word that is not in the vocabulary. */
export const UNKNOWN = -1

// Scratch buffers of the span scanner, reused between calls (grown when a text has more tokens).
let spanStart: Int32Array = new Int32Array(1024)
let spanEnd: Int32Array = new Int32Array(1024)
let spanHash: Int32Array = new Int32Array(1024)

function growSpans(): void {
  const grow = (a: Int32Array): Int32Array => {
    const b = new Int32Array(a.length * 2)
    b.set(a)
    return b
  }
  spanStart = grow(spanStart)
  spanEnd = grow(spanEnd)
  spanHash = grow(spanHash)
}

const FNV_OFFSET = 0x811c9dc5 | 0
const FNV_PRIME = 16777619

interface SpanScan {
  count: number
  symbols: number
  sentences: number
  snakeCase: number
  errorWords: number
}

const lowerCache = new Map<number, number>()

/** Lower-case codes of ASCII characters. */
const ASCII_LOWER = new Uint8Array(128)
for (let c = 0; c < 128; c++) ASCII_LOWER[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c

/** The lower-case code of the character at `i` (ASCII by table; other scripts through a small cache). */
function lowerAt(text: string, i: number): number {
  const c = text.charCodeAt(i)
  return c < 0x80 ? ASCII_LOWER[c] : lowerNonAscii(c)
}

function lowerNonAscii(c: number): number {
  if (c < 0xc0) return c
  let lower = lowerCache.get(c)
  if (lower === undefined) {
    lower = String.fromCharCode(c).toLowerCase().charCodeAt(0)
    if (lowerCache.size < 4096) lowerCache.set(c, lower)
  }
  return lower
}

/** True when the word ending at `end` ends with `suffix` (lower case), ignoring case. */
function endsWithWord(text: string, end: number, suffix: string): boolean {
  const start = end - suffix.length
  if (start < 0) return false
  for (let k = 0; k < suffix.length; k++) if (lowerAt(text, start + k) !== suffix.charCodeAt(k)) return false
  return true
}

/**
 * The tokenizer: finds word spans in text, lower-cased on the fly, and hashes each (FNV-1a) without creating strings. Inside a
 * word: `.` and `/` between word characters (`node.js`, `km/h`), `,` between digits (`1,000`), apostrophes between
 * letters (`don't`; a final `'s` is dropped). `c++`, `c#`, `f#` are words. Everything else, hyphens included,
 * separates words, so `step-by-step` reads as `step by step`.
 */
function scanSpans(text: string): SpanScan {
  let count = 0
  let symbols = 0
  let sentences = 0
  let snakeCase = 0
  let errorWords = 0
  const n = text.length
  let i = 0
  while (i < n) {
    let c = lowerAt(text, i)
    if (!isWordCode(c)) {
      symbols |= symbolBit(c)
      // A sentence end follows a word of two letters or more (not the `A.` of an option list).
      if ((c === 0x2e || c === 0x3f || c === 0x21) && i > 1 && isWordCode(lowerAt(text, i - 1)) && isWordCode(lowerAt(text, i - 2))) {
        const next = i + 1 < n ? lowerAt(text, i + 1) : 0x20
        if (next === 0x20 || next === 0x0a || next === 0x09 || next === 0x0d) sentences++
      }
      i++
      continue
    }
    const start = i
    let hash = Math.imul(FNV_OFFSET ^ c, FNV_PRIME)
    let quoteAt = -1
    let hashBeforeQuote = 0
    let underscoreAt = c === 0x5f ? i : -1
    i++
    while (i < n) {
      c = lowerAt(text, i)
      if (isWordCode(c)) {
        if (c === 0x5f && underscoreAt === -1) underscoreAt = i
        hash = Math.imul(hash ^ c, FNV_PRIME)
        i++
        continue
      }
      const prev = lowerAt(text, i - 1)
      const next = i + 1 < n ? lowerAt(text, i + 1) : 0
      if (((c === 0x2e || c === 0x2f) && isWordCode(next)) || (c === 0x2c && isDigit(prev) && isDigit(next))) {
        hash = Math.imul(hash ^ c, FNV_PRIME)
        i++
        continue
      }
      if ((c === APOSTROPHE || c === RIGHT_QUOTE) && isLetter(prev) && isLetter(next)) {
        quoteAt = i
        hashBeforeQuote = hash
        hash = Math.imul(hash ^ APOSTROPHE, FNV_PRIME)
        i++
        continue
      }
      break
    }
    let end = i
    // A final `'s` is dropped: `dijkstra's` reads as `dijkstra`.
    if (quoteAt === end - 2 && lowerAt(text, end - 1) === 0x73) {
      end = quoteAt
      hash = hashBeforeQuote
    }
    // c++, c#, f#: the symbols are part of the language's name.
    if (end - start === 1 && (c = lowerAt(text, start)) !== 0 && (c === 0x63 || c === 0x66) && i < n) {
      if (lowerAt(text, i) === 0x2b && lowerAt(text, i + 1) === 0x2b) {
        hash = Math.imul(Math.imul(hash ^ 0x2b, FNV_PRIME) ^ 0x2b, FNV_PRIME)
        i += 2
        end = i
      } else if (lowerAt(text, i) === 0x23) {
        hash = Math.imul(hash ^ 0x23, FNV_PRIME)
        i += 1
        end = i
      }
    }
    if (underscoreAt > start && underscoreAt < end - 1 && lowerAt(text, underscoreAt + 1) !== 0x5f && isLetter(lowerAt(text, start))) {
      snakeCase++
      symbols |= SYM.underscore
    }
    if (end - start > 8 && (endsWithWord(text, end, 'error') || endsWithWord(text, end, 'exception'))) errorWords++
    if (count === spanStart.length) growSpans()
    spanStart[count] = start
    spanEnd[count] = end
    spanHash[count] = hash
    count++
  }
  return {count, symbols, sentences, snakeCase, errorWords}
}

/** Splits lower-case text into words with the tokenizer's rules (used to build the vocabulary). */
export function splitWords(lower: string): string[] {
  const {count} = scanSpans(lower)
  const words: string[] = []
  for (let k = 0; k < count; k++) words.push(lower.slice(spanStart[k], spanEnd[k]).toLowerCase().replaceAll('\u2019', "'"))
  return words
}

// The vocabulary: every word of the lexicon and of the rules, in an open-addressing hash table keyed by FNV-1a.
const WORDS: string[] = []
const WORD_IDS = new Map<string, number>()
let tableHash = new Int32Array(0)
let tableId = new Int32Array(0)
let tableMask = 0

function hashWord(word: string): number {
  let hash = FNV_OFFSET
  for (let k = 0; k < word.length; k++) hash = Math.imul(hash ^ word.charCodeAt(k), FNV_PRIME)
  return hash
}

function buildVocabulary(words: Iterable<string>): void {
  for (const word of words) {
    if (!WORD_IDS.has(word)) {
      WORD_IDS.set(word, WORDS.length)
      WORDS.push(word)
    }
  }
  let size = 1
  while (size < WORDS.length * 4) size *= 2
  tableHash = new Int32Array(size)
  tableId = new Int32Array(size).fill(UNKNOWN)
  tableMask = size - 1
  for (const [id, word] of WORDS.entries()) {
    const hash = hashWord(word)
    let slot = hash & tableMask
    while (tableId[slot] !== UNKNOWN) slot = (slot + 1) & tableMask
    tableHash[slot] = hash
    tableId[slot] = id
  }
}

/** True when the span `[start, end)` of `text` spells `word`, ignoring case (curly apostrophes read as straight). */
function spanEquals(text: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false
  for (let k = 0; k < word.length; k++) {
    let c = lowerAt(text, start + k)
    if (c === RIGHT_QUOTE) c = APOSTROPHE
    if (c !== word.charCodeAt(k)) return false
  }
  return true
}

function lookup(text: string, start: number, end: number, hash: number): number {
  let slot = hash & tableMask
  for (let id = tableId[slot]; id !== UNKNOWN; id = tableId[slot]) {
    if (tableHash[slot] === hash && spanEquals(text, start, end, WORDS[id])) return id
    slot = (slot + 1) & tableMask
  }
  return UNKNOWN
}

/** Id of a vocabulary word (`UNKNOWN` if the lexicon and the rules never mention it). */
export function wordId(word: string): number {
  return WORD_IDS.get(word) ?? UNKNOWN
}

/** Ids of vocabulary words, as a set. */
export function wordIds(words: readonly string[]): Set<number> {
  return new Set(words.map((word) => wordId(word)))
}

/** The word of an id (`#` for a number, `?` for an unknown word). */
export function wordText(id: number): string {
  return id === NUMBER ? '#' : (WORDS[id] ?? '?')
}

/** Tokenizes text into word ids (case-insensitive). */
export function tokenize(text: string): Tokens {
  const scan = scanSpans(text)
  const ids = new Int32Array(scan.count)
  let numbers = 0
  for (let k = 0; k < scan.count; k++) {
    if (isDigit(lowerAt(text, spanStart[k]))) {
      ids[k] = NUMBER
      numbers++
    } else {
      ids[k] = lookup(text, spanStart[k], spanEnd[k], spanHash[k])
    }
  }
  return {ids, symbols: scan.symbols, sentences: scan.sentences, numbers, snakeCase: scan.snakeCase, errorWords: scan.errorWords}
}

const TAGS = Object.keys(LEXICON) as Tag[]
const TAG_INDEX = new Map<Tag, number>(TAGS.map((tag, index) => [tag, index]))

interface TrieNode {
  terms: TrieTerm[] | null
  next: Map<number, TrieNode> | null
}

function buildTrie(): Map<number, TrieNode> {
  const phrases: Array<{tag: Tag; term: string; w: number; words: string[]}> = []
  for (const tag of TAGS) {
    for (const spec of LEXICON[tag]) {
      const [term, w] = typeof spec === 'string' ? [spec, 1] : spec
      const words = splitWords(term.toLowerCase())
      if (words.length > 0) phrases.push({tag, term, w, words})
    }
  }
  buildVocabulary([...phrases.flatMap((p) => p.words), ...Object.values(RULE_WORDS).flat()])
  const root = new Map<number, TrieNode>()
  for (const {tag, term, w, words} of phrases) {
    let level = root
    let node: TrieNode | undefined
    for (const [index, word] of words.entries()) {
      const id = wordId(word)
      node = level.get(id)
      if (!node) {
        node = {terms: null, next: null}
        level.set(id, node)
      }
      if (index < words.length - 1) {
        node.next ??= new Map()
        level = node.next
      }
    }
    node!.terms ??= []
    if (!node!.terms.some((t) => t.tag === tag)) node!.terms.push({tag, tagId: TAG_INDEX.get(tag)!, term, w})
  }
  return root
}

/** Lexicon hits grouped by tag: an array indexed by tag (cheaper than a map for a few dozen tags). */
export class TagHits {
  private readonly lists: Array<Hit[] | undefined> = new Array(TAGS.length)
  private readonly distinctLists: Array<Hit[] | undefined> = new Array(TAGS.length)

  push(tagId: number, hit: Hit): void {
    const list = this.lists[tagId]
    if (list) list.push(hit)
    else this.lists[tagId] = [hit]
  }

  get(tag: Tag): Hit[] | undefined {
    return this.lists[TAG_INDEX.get(tag)!]
  }

  has(tag: Tag): boolean {
    return this.lists[TAG_INDEX.get(tag)!] !== undefined
  }

  /** The hits of `tag` with repeated terms dropped (first occurrence kept), computed once. */
  distinct(tag: Tag): Hit[] | undefined {
    const tagId = TAG_INDEX.get(tag)!
    const hits = this.lists[tagId]
    if (!hits || hits.length === 1) return hits
    let out = this.distinctLists[tagId]
    if (!out) {
      out = []
      for (const hit of hits) if (!out.some((o) => o.term === hit.term)) out.push(hit)
      this.distinctLists[tagId] = out
    }
    return out
  }
}

const TRIE = buildTrie()
/** The trie's first level as an array indexed by word id (the hottest lookup of the scan). */
const TRIE_ROOT: Array<TrieNode | undefined> = Array.from({length: WORDS.length}, (_, id) => TRIE.get(id))
const NOT_CODE_ID = TAG_INDEX.get('not_code')!
/** Gate tags whose presence is all that matters: a bit each instead of a hit per word. */
const GATE_TAGS = [
  'gate_punctuation',
  'gate_arithmetic',
  'gate_each',
  'gate_problem',
  'gate_quantifier',
  'gate_boolean',
  'gate_trace',
  'gate_trace_weak',
  'gate_letter',
  'gate_riddle',
  'gate_modal',
] as const
type GateTag = (typeof GATE_TAGS)[number]
const GATE_BIT = new Int32Array(TAGS.length)
for (const [index, tag] of GATE_TAGS.entries()) GATE_BIT[TAG_INDEX.get(tag)!] = 1 << index
const gateBit = (tag: GateTag): number => 1 << GATE_TAGS.indexOf(tag)
/** Longest phrase in the lexicon, in tokens (bounds the scratch arrays below). */
const MAX_PHRASE = 16
const foundNodes: TrieNode[] = new Array(MAX_PHRASE)
const foundEnds = new Int32Array(MAX_PHRASE)
const coveredUntil = new Int32Array(TAGS.length)
const seenAt = new Int32Array(TAGS.length)

/**
 * Finds lexicon terms in a token list. At each position, the longest term of each tag counts, and shorter terms of
 * other tags too (`find the number of` yields `find` as a verb and the phrase as competition maths); a phrase nested
 * in an earlier one of the same tag is not counted twice. A `not_code` phrase hides everything inside it, so
 * `dress code` hides `code` and `go to` hides `go`. Gate tags come back as bits, not hits.
 */
export function matchTokens(ids: Int32Array): {byTag: TagHits; gates: number} {
  const byTag = new TagHits()
  let gates = 0
  coveredUntil.fill(0)
  seenAt.fill(-1)
  const n = ids.length
  let i = 0
  while (i < n) {
    let node = ids[i] >= 0 ? TRIE_ROOT[ids[i]] : undefined
    if (!node) {
      i++
      continue
    }
    let found = 0
    let j = i
    while (node) {
      if (node.terms && found < MAX_PHRASE) {
        foundNodes[found] = node
        foundEnds[found] = j + 1
        found++
      }
      j++
      if (j >= n || !node.next) break
      node = node.next.get(ids[j])
    }
    if (found === 0) {
      i++
      continue
    }
    const longest = foundNodes[found - 1].terms!
    const longestEnd = foundEnds[found - 1]
    let override = false
    for (const t of longest) if (t.tagId === NOT_CODE_ID) override = true
    if (override) {
      for (const t of longest) byTag.push(t.tagId, new Hit(t, i, longestEnd))
      i = longestEnd
      continue
    }
    for (let k = found - 1; k >= 0; k--) {
      const end = foundEnds[k]
      for (const t of foundNodes[k].terms!) {
        if (GATE_BIT[t.tagId] !== 0) {
          gates |= GATE_BIT[t.tagId]
          continue
        }
        if (seenAt[t.tagId] === i || coveredUntil[t.tagId] > i) continue
        seenAt[t.tagId] = i
        coveredUntil[t.tagId] = end
        byTag.push(t.tagId, new Hit(t, i, end))
      }
    }
    i++
  }
  return {byTag, gates}
}

// Structural patterns, applied to the original (case-kept) text. Each runs only when a cheap gate (a symbol seen by
// the tokenizer, or a gate word found by the trie) says it can match.
const FENCE = /^[ \t]*```[ \t]*([\w+#.-]*)/gm
const CODE_LINE_START =
  /[ \t]*(?:def \w+\s*\(|class \w+[\s:(<{]|import [\w{*"'@.]|from [\w.]+ import |#include|#define |#!\/|(?:async )?function\*?\s*[\w$]*\s*\(|(?:export )?(?:const|let|var) [\w${}[\], ]{1,60}=|(?:public|private|protected|static|internal|override) \w|fn \w+|func [\w(]|package [\w.]+|using [\w.]+;|return(?:[ \t]+\S+)?[ \t]*;?[ \t]*$|if ?\(|for ?\(|while ?\(|switch ?\(|for \w+(?:, ?\w+)? in .{1,80}:[ \t]*$|elif |else:|else \{|\} ?else|try:|try \{|except\b|catch ?\(|with open\(|@\w+[(\s]|console\.|print\(|println!?\(|printf\(|System\.out|std::|fmt\.|SELECT |INSERT INTO |UPDATE \w+ SET |CREATE (?:TABLE|INDEX) |DELETE FROM |>>> |\$ \w|<\/?[a-z][\w-]*[ >/]|[a-zA-Z_$][\w.$[\]]*[a-zA-Z0-9_\]] ?(?:=|\+=|-=|:=) ?[\w[{("'`.$-]|[a-zA-Z_][\w.]*\([^()\n]{0,80}\)[ \t]*;?[ \t]*$|\/\/|\/\*)/my
const STACK_TRACE =
  /Traceback \(most recent call last\)|^[ \t]+at [\w$.<>[\]/ ]{1,200}\(?[\w/\\.:-]{1,200}:\d+(?::\d+)?\)?[ \t]*$|^[ \t]*File "[^"\n]{1,300}", line \d+|Exception in thread|^[\w.$]{0,200}(?:Error|Exception)(?::|$)|\bpanicked at\b|\berror\[E\d{4}\]|\berror TS\d{4}\b|\bnpm ERR!|Segmentation fault|core dumped|^[ \t]*--> [\w/.-]{1,200}:\d+:\d+/gm
const CODE_SPAN = /`[^`\n]{0,120}[;=(){}[\]<>][^`\n]{0,120}`/g
const PROBLEM_IO =
  /\bInput:\s*[a-zA-Z_]\w*\s*=|\bOutput:\s*[[\d"'-]|\d\s*(?:<=|≤)\s*[\w.[\]]+\s*(?:<=|≤)|\.length\b|^[ \t]*Example \d+:|^[ \t]*(?:Input|Output)[ \t]*$|\bthe (?:first|second|next) line (?:of (?:the )?input )?contains\b|\bSample (?:Input|Output)\b|\beach test case\b|\bprint (?:one|a single|the) (?:integer|number|line)\b/gim
const BIG_O = /\bO\((?:[^()\n]|\((?:[^()\n]|\([^()\n]*\))*\)){1,30}\)/g
const LATEX_COMMAND =
  /\\(?:frac|dfrac|tfrac|sqrt|sum|prod|int|cdot|times|le|ge|leq|geq|neq|pi|theta|alpha|beta|gamma|omega|mu|sigma|angle|triangle|circ|mathbb|mathrm|lfloor|rfloor|lceil|binom|overline|infty|log|ln|sin|cos|tan|equiv|pmod|mid|ldots|cdots)\b/g
const DOLLAR_MATH = /\$([^$\n]{1,200}?)\$/g
const MATH_INSIDE_DOLLARS = /[\\^_{}=<>]|^\s*[a-zA-Z]\s*$/
const ARITHMETIC = /(?:^|[\s(=[])-?\d+(?:\.\d+)?\s*(?:[+*/×÷^]|\s-\s)\s*\(?\s*-?\d/gm
const WORD_ARITHMETIC = /\d(?:\.\d+)?\s+(?:divided by|times|multiplied by|plus|minus|over|to the power of)\s+\(?-?\d/gi
const EQUATION = /\b\d+(?:\.\d+)?[a-z](?:\^\d+)?\b[^=\n]{0,40}=/g
const SYLLOGISM = /(?:^|[.!?]\s+|\b(?:if|and|that)\s+)(?:all|some|no|none of the|every|not all)\s+[\w' -]{1,40}?\s+(?:are|is|can|have)\b/gim
const RIDDLE = /\bwhat (?:has|have|can|goes|comes|gets)\b[^?\n]{3,80}\bbut\b[^?\n]{3,80}\?/gi
const CODE_OPERATOR = /[\w)\]'"]\s*(?:===?|!==?|&&|\|\||=>|::)\s*[\w(['"]/g
const BOOLEAN_EXPRESSION =
  /\b(?:not\s+)*(?:True|False)\s+(?:and|or)\s+(?:not\s+)*\(?\s*(?:not\s+)*(?:True|False)\b|^[\s(]*not[\s(]+(?:(?:not|True|False)[\s()]*){1,20}is\s*$/gm
const PUNCTUATION_RULE =
  /\b(?:no|not|without|never|avoid|refrain from)\b[^.\n]{0,40}\b(?:commas?|exclamation (?:marks?|points?)|semicolons?|hyphens?|dashes|emojis?|punctuation|capital letters|lowercase letters)\b/gi
const EACH_RULE = /\b(?:each|every)\s+\w+(?:\s+\w+)?\s+(?:should|must)\b/gi
const PERCENT_OF = /\d(?:\.\d+)?\s?%\s+of\b/gi
const CURRENCY = /[$€£¥₹]\s?\d/g
const PERCENT = /\d\s?%/g
const INLINE_OPTION = /\([A-J]\)[ \t]/g
const LETTER_CONSTRAINT = /\bletters? ["'“]?[A-Za-z]["'”]?(?=[\s,.;:)]|$)/g
const ANGLE_TITLE = /<<[^<>\n]{1,80}>>/g

function isIdentifierCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24
}

/** Calls in prose: `obj.method(` or `camelCase(` (a lower-case letter followed by an upper-case one). */
function countCalls(text: string): number {
  let calls = 0
  for (let paren = text.indexOf('('); paren !== -1; paren = text.indexOf('(', paren + 1)) {
    let k = paren - 1
    let dotted = false
    let camel = false
    while (k >= 0 && paren - k <= 60) {
      const c = text.charCodeAt(k)
      if (c === 0x2e && k > 0 && isIdentifierCode(text.charCodeAt(k - 1)) && k < paren - 1) dotted = true
      else if (!isIdentifierCode(c)) break
      else if (c >= 0x41 && c <= 0x5a && k > 0 && isLower(text.charCodeAt(k - 1))) camel = true
      k--
    }
    if (dotted || camel) calls++
  }
  return calls
}

const COUNT_PREFIXES = wordIds(RULE_WORDS.countPrefixes)
const NUMBER_WORDS = wordIds(RULE_WORDS.numberWords)
const REPEAT_UNITS = wordIds(RULE_WORDS.repeatUnits)
const REPEAT_PREFIXES = wordIds(RULE_WORDS.repeatPrefixes)
const APPEAR = wordIds(RULE_WORDS.appear)
const TIMES = wordId('times')

function isCount(id: number | undefined): boolean {
  return id !== undefined && (id === NUMBER || NUMBER_WORDS.has(id))
}

/**
 * Explicit counted constraints, read from the words around each unit word: `at least 3 paragraphs`, `in two
 * sentences`, `a 300-word essay`, `exactly 5 short lines`, `exactly twice`, `should appear at least 3 times`.
 */
function countCountedConstraints(ids: Int32Array, units: Hit[] | undefined): number {
  if (!units) return 0
  let found = 0
  for (const unit of units) {
    const p = unit.pos
    const word = ids[p]
    if (REPEAT_UNITS.has(word)) {
      if (p > 0 && REPEAT_PREFIXES.has(ids[p - 1])) found++
      continue
    }
    if (word === TIMES) {
      // `should appear at least 3 times`, `used fewer than 4 times`: a verb of use within a few words.
      let used = p >= 2 && REPEAT_PREFIXES.has(ids[p - 2])
      for (let k = Math.max(0, p - 6); k < p - 1 && !used; k++) used = APPEAR.has(ids[k])
      if (p > 0 && isCount(ids[p - 1]) && used) found++
      continue
    }
    // The number right before the unit, or with one adjective between (`exactly 5 short paragraphs`).
    const numberAt = p >= 1 && isCount(ids[p - 1]) ? p - 1 : p >= 2 && isCount(ids[p - 2]) ? p - 2 : -1
    if (numberAt >= 1 && COUNT_PREFIXES.has(ids[numberAt - 1])) found++
  }
  return found
}

/** Scan window: the head and tail of long texts are read; counts are extrapolated (see `scale`). */
export interface ScanWindow {
  head: number
  tail: number
}

/** Number of matches of a global regex (`test` walks `lastIndex` without allocating match arrays). */
function count(re: RegExp, text: string): number {
  re.lastIndex = 0
  let n = 0
  while (re.test(text)) n++
  return n
}

function countIf(gate: boolean, re: RegExp, text: string): number {
  return gate ? count(re, text) : 0
}

/** Reads one text: tokens, lexicon hits and structural counts. */
export function scanText(text: string, window: ScanWindow): TextFeatures {
  const chars = text.length
  const scanned = chars > window.head + window.tail ? `${text.slice(0, window.head)}\n${text.slice(chars - window.tail)}` : text
  const scale = scanned.length > 0 ? Math.max(1, chars / scanned.length) : 1
  const {ids, symbols, sentences, numbers, snakeCase, errorWords} = tokenize(scanned)
  const has = (bits: number): boolean => (symbols & bits) !== 0
  const {byTag, gates} = matchTokens(ids)
  const tagged = (tag: GateTag): boolean => (gates & gateBit(tag)) !== 0

  const lineInfo = scanLines(scanned)

  let latex = countIf(has(SYM.backslash), LATEX_COMMAND, scanned)
  if (has(SYM.dollar)) {
    DOLLAR_MATH.lastIndex = 0
    for (let m = DOLLAR_MATH.exec(scanned); m !== null; m = DOLLAR_MATH.exec(scanned)) {
      if (MATH_INSIDE_DOLLARS.test(m[1])) latex++
    }
  }

  // Numbers inside a page of code are not arithmetic problems.
  const prose = lineInfo.codeLines < 5
  const arithmetic =
    countIf(prose && numbers >= 2, ARITHMETIC, scanned) +
    countIf(prose && numbers >= 2 && tagged('gate_arithmetic'), WORD_ARITHMETIC, scanned) +
    countIf(prose && numbers >= 1 && has(SYM.equals), EQUATION, scanned)

  let questions = 0
  if (has(SYM.question)) for (let k = scanned.indexOf('?'); k !== -1; k = scanned.indexOf('?', k + 1)) questions++

  return {
    chars,
    scale,
    ids,
    byTag,
    numbers,
    ...lineInfo,
    options: lineInfo.options + countIf(has(SYM.paren) && scanned.includes('(A)'), INLINE_OPTION, scanned),
    stackTraces: countIf(
      tagged('gate_trace') || errorWords > 0 || (tagged('gate_trace_weak') && has(SYM.colon | SYM.quote)),
      STACK_TRACE,
      scanned,
    ),
    inlineCode: snakeCase + (has(SYM.paren) ? countCalls(scanned) : 0),
    codeSpans: countIf(has(SYM.backtick), CODE_SPAN, scanned),
    syllogisms: countIf(tagged('gate_quantifier'), SYLLOGISM, scanned),
    // Object tracking swaps things several times; `trade` alone is usually about commerce.
    swaps: byTag.has('gate_swap') ? (byTag.get('gate_swap')?.length ?? 0) + (byTag.get('gate_trade')?.length ?? 0) : 0,
    riddles: countIf(questions > 0 && tagged('gate_riddle'), RIDDLE, scanned),
    booleanExpressions: countIf(tagged('gate_boolean'), BOOLEAN_EXPRESSION, scanned),
    punctuationRules:
      countIf(tagged('gate_punctuation'), PUNCTUATION_RULE, scanned) +
      countIf(tagged('gate_each') && tagged('gate_modal'), EACH_RULE, scanned),
    codeOperators: countIf(has(SYM.equals | SYM.amp | SYM.pipe), CODE_OPERATOR, scanned),
    problemIO: countIf(tagged('gate_problem') || has(SYM.less), PROBLEM_IO, scanned),
    bigO: countIf(has(SYM.paren) && scanned.includes('O('), BIG_O, scanned),
    latex,
    arithmetic,
    percentOf: countIf(has(SYM.percent), PERCENT_OF, scanned),
    currency: countIf(has(SYM.currency) && numbers > 0, CURRENCY, scanned),
    percents: countIf(has(SYM.percent), PERCENT, scanned),
    questions,
    sentences,
    countedConstraints: countCountedConstraints(ids, byTag.get('gate_unit')),
    letterConstraints: countIf(tagged('gate_letter'), LETTER_CONSTRAINT, scanned),
    angleTitle: countIf(has(SYM.less), ANGLE_TITLE, scanned),
  }
}

const DATA_FENCE_LANGS = new Set(['json', 'text', 'txt', 'markdown', 'md', 'csv', 'yaml', 'yml', 'xml', 'output', 'console', 'log'])

type LineInfo = Pick<TextFeatures, 'lines' | 'codeLines' | 'jsonLines' | 'fences' | 'fenceLangs' | 'listItems' | 'options'>

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a
}

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a
}

/** True when the line `[first, last]` holds a character that code lines have and prose lines rarely start with. */
function hasCodePunctuation(text: string, first: number, last: number): boolean {
  for (let k = first; k <= last; k++) {
    const c = text.charCodeAt(k)
    if (c === 0x28 || c === 0x3d || c === 0x5b) return true // ( = [
    // `obj.method`, but not the full stop of a sentence.
    if (c === 0x2e && k < last && text.charCodeAt(k + 1) > 0x20) return true
  }
  return false
}

/**
 * Line-level structure in one pass: fences, code lines (inside code fences, or lines that look like code), JSON
 * lines, list items and multiple-choice options.
 */
function scanLines(text: string): LineInfo {
  const info: LineInfo = {lines: 0, codeLines: 0, jsonLines: 0, fences: 0, fenceLangs: [], listItems: 0, options: 0}
  let inFence = false
  let fenceIsCode = false
  const n = text.length
  let start = 0
  while (start <= n) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = n
    info.lines++
    let first = start
    while (first < end && (text.charCodeAt(first) === 0x20 || text.charCodeAt(first) === 0x09)) first++
    let last = end - 1
    while (last >= first && text.charCodeAt(last) <= 0x20) last--
    if (first <= last) {
      if (text.startsWith('```', first)) {
        if (inFence) {
          inFence = false
        } else {
          inFence = true
          info.fences++
          FENCE.lastIndex = start
          const m = FENCE.exec(text)
          const lang = m && m.index === start ? m[1].toLowerCase() : ''
          if (lang) info.fenceLangs.push(lang)
          fenceIsCode = !DATA_FENCE_LANGS.has(lang)
        }
      } else if (inFence) {
        if (fenceIsCode) info.codeLines++
        else info.jsonLines++
      } else {
        classifyLine(text, start, first, last, info)
      }
    }
    start = end + 1
  }
  return info
}

/** Counts one line outside fences as JSON, code, list item or option. */
function classifyLine(text: string, start: number, first: number, last: number, info: LineInfo): void {
  const c0 = text.charCodeAt(first)
  const c1 = first + 1 <= last ? text.charCodeAt(first + 1) : 0
  const c2 = first + 2 <= last ? text.charCodeAt(first + 2) : 0
  const lastChar = text.charCodeAt(last)
  // List items: `1.`, `2)`, `-`, `*`, `•`, `a)`, `(b)`; options: `A.`, `(B)`, `C)`, `D:`.
  if ((isDigit(c0) && (c1 === 0x2e || c1 === 0x29 || (isDigit(c1) && (c2 === 0x2e || c2 === 0x29)))) || ((c0 === 0x2d || c0 === 0x2a || c0 === 0x2022) && c1 === 0x20)) {
    info.listItems++
  } else if ((isLower(c0) && c1 === 0x29) || (c0 === 0x28 && isLower(c1) && c2 === 0x29)) {
    info.listItems++
  }
  const optionLetter = c0 === 0x28 ? c1 : c0
  const optionMark = c0 === 0x28 ? c2 : c1
  if (optionLetter >= 0x41 && optionLetter <= 0x4a && (optionMark === 0x29 || optionMark === 0x2e || optionMark === 0x3a)) {
    const after = text.charCodeAt(first + (c0 === 0x28 ? 3 : 2))
    if (after === 0x20 || after === 0x09) info.options++
  }

  const jsonish = (c0 === 0x7b && c1 === 0x22) || (c0 === 0x5b && (c1 === 0x7b || c1 === 0x22)) || (c0 === 0x22 && text.slice(first, last + 1).includes('":'))
  if (jsonish) {
    info.jsonLines++
    return
  }
  if (lastChar === 0x3b || lastChar === 0x7b || lastChar === 0x7d) {
    info.codeLines++
    return
  }
  // A line that opens like a sentence ("The cache…") is prose unless it has code punctuation or is SQL.
  if (isUpper(c0) && isLower(c1) && !hasCodePunctuation(text, first, last)) return
  CODE_LINE_START.lastIndex = start
  if (CODE_LINE_START.test(text)) info.codeLines++
}
