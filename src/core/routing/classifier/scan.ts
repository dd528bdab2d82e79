/**
 * Text scanning: one pass of a hand-written tokenizer plus a phrase trie (whole words only, longest phrase first),
 * then a few precompiled structural regexes (code lines, stack traces, LaTeX, numbers, explicit output constraints).
 * Nothing here is compiled per call, and no regex can backtrack catastrophically (no nested unbounded quantifiers).
 */
import {RULE_WORDS} from './lexicon.js'
import {GATE, type GateTag, type Hit, matchTokens, TAG, type TagHits} from './phrases.js'
import {atLineStart, NUMBER, SYM, tokenize, wordId, wordIds} from './tokenizer.js'

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
  /** Numbers inside multiple-choice options: candidate answers, not quantities of the problem. */
  optionNumbers: number
  /** Characters of the multiple-choice options, labels left out: long options are statements to weigh, not facts. */
  optionChars: number
  /** Tokens that start with a letter, and those of them that are long words (see `Tokens`). */
  words: number
  longWords: number
  /** Maths symbols beyond ASCII (`x²`, `≡`, `√`, `ℚ`, a lone `ε`). */
  mathSymbols: number
  /** Distinct names, and those mentioned more than once (see `Tokens`). */
  names: number
  repeatedNames: number
  /** `Let X be …`, `let f(x) denote …`: objects named by a letter, the idiom of abstract maths. */
  letVariables: number
  /** `at least 3 paragraphs`, `a 300-word essay`, `exactly twice`. */
  countedConstraints: number
  /** `the letter "q"`, `letters a or e`. */
  letterConstraints: number
  /** `<<title>>`. */
  angleTitle: number
  /** Quoted claims: `Box 2 says "…"`, `Kim: "Lee took it."` (the statements of a truth puzzle). */
  claims: number
  /** A demand to answer with some fields only, at a sentence end (`Give the quarter and the amount only.`). */
  onlyDemands: number
  /** More text after the first line: data pasted below a request (read only when an extraction verb is present). */
  pastedData: boolean
  /**
   * Data given with the request, wherever it sits: below it, in a long quotation, or after a colon that ends the
   * request (`… as JSON: Priya Nair has been …`). Read only when the text names an output structure or picks things out.
   */
  dataBlock: boolean
  /** Three or more short items in a comma list (`name, email and phone number`, `(street, city, ZIP)`): field names. */
  fieldList: boolean
}

// Structural patterns, applied to the original (case-kept) text. Each runs only when a cheap gate (a symbol seen by
// the tokenizer, or a gate word found by the trie) says it can match.
const FENCE = /^[ \t]*```[ \t]*([\w+#.-]*)/gm
const CODE_LINE_START =
  /[ \t]*(?:def \w+\s*\(|class \w+[\s:(<{]|import [\w{*"'@.]|from [\w.]+ import |#include|#define |#!\/|(?:async )?function\*?\s*[\w$]*\s*\(|(?:export )?(?:const|let|var) [\w${}[\], ]{1,60}=|(?:public|private|protected|static|internal|override) \w|fn \w+|func [\w(]|package [\w.]+|using [\w.]+;|return(?:[ \t]+\S+)?[ \t]*;?[ \t]*$|if ?\(|for ?\(|while ?\(|switch ?\(|for \w+(?:, ?\w+)? in .{1,80}:[ \t]*$|elif |else:|else \{|\} ?else|try:|try \{|except\b|catch ?\(|with open\(|@\w+[(\s]|console\.|print\(|println!?\(|printf\(|System\.out|std::|fmt\.|SELECT |INSERT INTO |UPDATE \w+ SET |CREATE (?:TABLE|INDEX) |DELETE FROM |>>> |\$ \w|<\/?[a-z][\w-]*[ >/]|[a-zA-Z_$][\w.$[\]]*[a-zA-Z0-9_\]] ?(?:=|\+=|-=|:=) ?[\w[{("'`.$-]|[a-zA-Z_][\w.]*\([^()\n]{0,80}\)[ \t]*;?[ \t]*$|\/\/|\/\*)/my
const STACK_TRACE =
  /Traceback \(most recent call last\)|^[ \t]+at [\w$.<>[\]/ ]{1,200}\(?[\w/\\.:-]{1,200}:\d+(?::\d+)?\)?[ \t]*$|^[ \t]*File "[^"\n]{1,300}", line \d+|Exception in thread|^[\w.$]{0,200}(?:Error|Exception)(?::|$)|\bpanicked at\b|\berror\[E\d{4}\]|\berror TS\d{4}\b|\bnpm ERR!|Segmentation fault|core dumped|^[ \t]*--> [\w/.-]{1,200}:\d+:\d+/gm
const PROBLEM_IO =
  /\bInput:\s*[a-zA-Z_]\w*\s*=|\bOutput:\s*[[\d"'-]|\d\s*(?:<=|≤)\s*[\w.[\]]+\s*(?:<=|≤)|\.length\b|^[ \t]*Example \d+:|^[ \t]*(?:Input|Output)[ \t]*$|\bthe (?:first|second|next) line (?:of (?:the )?input )?contains\b|\bSample (?:Input|Output)\b|\beach test case\b|\bprint (?:one|a single|the) (?:integer|number|line)\b/gim
const BIG_O = /\bO\((?:[^()\n]|\((?:[^()\n]|\([^()\n]*\))*\)){1,30}\)/g
const LATEX_COMMAND =
  /\\(?:frac|dfrac|tfrac|sqrt|sum|prod|int|cdot|times|le|ge|leq|geq|neq|pi|theta|alpha|beta|gamma|omega|mu|sigma|angle|triangle|circ|mathbb|mathrm|lfloor|rfloor|lceil|binom|overline|infty|log|ln|sin|cos|tan|equiv|pmod|mid|ldots|cdots)\b/g
const MATH_INSIDE_DOLLARS = /[\\^_{}=<>]|^\s*[a-zA-Z]\s*$/
const ARITHMETIC = /(?:^|[\s(=[])-?\d+(?:\.\d+)?\s*(?:[+*/×÷^]|\s-\s)\s*\(?\s*-?\d/gm
const WORD_ARITHMETIC = /\d(?:\.\d+)?\s+(?:divided by|times|multiplied by|plus|minus|over|to the power of)\s+\(?-?\d/gi
const EQUATION = /\b\d+(?:\.\d+)?[a-z](?:\^\d+)?\b[^=\n]{0,40}=/g
// Written quantifier first, its required lead-in (a line or sentence start, or `if`/`and`/`that`) checked behind it:
// the same matches as `(?:^|[.!?]\s+|\b(?:if|and|that)\s+)(?:all|…)\s+…`, but the engine tries the pattern only
// where a quantifier word starts, not at every character (three times faster on prose).
const SYLLOGISM =
  /\b(?:all|some|no|none of the|every|not all)(?<=(?:^|[.!?]\s+|\b(?:if|and|that)\s+)(?:all|some|no|none of the|every|not all))\s+[\w' -]{1,40}?\s+(?:are|is|can|have)\b/gim
const RIDDLE = /\bwhat (?:has|have|can|goes|comes|gets)\b[^?\n]{3,80}\bbut\b[^?\n]{3,80}\?/gi
const CODE_OPERATOR = /[\w)\]'"]\s*(?:===?|!==?|&&|\|\||=>|::)\s*[\w(['"]/g
const BOOLEAN_EXPRESSION =
  /\b(?:not\s+)*(?:True|False)\s+(?:and|or)\s+(?:not\s+)*\(?\s*(?:not\s+)*(?:True|False)\b|^[\s(]*not[\s(]+(?:(?:not|True|False)[\s()]*){1,20}is\s*$/gm
const PUNCTUATION_RULE =
  /\b(?:no|not|without|never|avoid|refrain from)\b[^.\n]{0,40}\b(?:commas?|exclamation (?:marks?|points?)|semicolons?|hyphens?|dashes|emojis?|punctuation|capital letters|lowercase letters)\b/gi
const EACH_RULE = /\b(?:each|every)\s+\w+(?:\s+\w+)?\s+(?:should|must)\b/gi
const PERCENT_OF = /\d(?:\.\d+)?\s?%\s+of\b/gi
/** A fraction of a number (`half of 50`, `two thirds of $90`): arithmetic, like `N% of`. */
const FRACTION_OF = /\b(?:half|thirds?|quarters?|fifth) of [$€£]?\d/gi
/** `Let X be`, `let f(x) denote`, `Let ABC be` (case kept: `let me be` is not one). */
const LET_VARIABLE = /\b[Ll]et\s+(?:[A-Za-z]|[a-z]\([a-z, ]{1,12}\)|[A-Z]{2,4})\s+(?:be|denote)\b/g
/** Currency signs: `countCurrency` counts the matches of /[$€£¥₹]\s?\d/g. */
const CURRENCY_SIGNS = ['$', '€', '£', '¥', '₹'] as const
const PERCENT = /\d\s?%/g
const INLINE_OPTION = /\([A-J]\)[ \t]/g
const LETTER_CONSTRAINT = /\bletters? ["'“]?[A-Za-z]["'”]?(?=[\s,.;:)]|$)/g
const ANGLE_TITLE = /<<[^<>\n]{1,80}>>/g
/** A claim verb, then an opening quote (`says "…"`, `said, "…"`). A speaker's `Kim: "…"` is found by `countSpeakerClaims`. */
const CLAIM =
  /\b(?:says|said|say|claims|claimed|states|stated|replies|replied|answers|answered|insists|insisted|declares|declared|announces|announced|tells|told|adds|added)[,:]?[ \t]?["“]/g
/** Longest speaker's name before `: "`. */
const SPEAKER_CHARS = 21
const ONLY_DEMAND = /\w[ \t]only[.!](?:\s|$)/g
/** Texts longer than this are not read for quoted claims (a puzzle is short). */
const CLAIM_CHARS = 3000

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

/** Most characters on either side of the code character in a code span (see `countCodeSpans`). */
const CODE_SPAN_SIDE = 120

function isCodeSpanMark(c: number): boolean {
  return (
    c === 0x3b ||
    c === 0x3d ||
    c === 0x28 ||
    c === 0x29 ||
    c === 0x7b ||
    c === 0x7d ||
    c === 0x5b ||
    c === 0x5d ||
    c === 0x3c ||
    c === 0x3e
  )
}

/** True when the backtick span `[from, to)` (between the backticks) is code: one line, a code character not too deep. */
function isCodeSpan(text: string, from: number, to: number): boolean {
  if (to - from > 2 * CODE_SPAN_SIDE + 1) return false
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === 0x0a) return false
  const last = Math.min(from + CODE_SPAN_SIDE, to - 1)
  for (let k = Math.max(from, to - 1 - CODE_SPAN_SIDE); k <= last; k++)
    if (isCodeSpanMark(text.charCodeAt(k))) return true
  return false
}

/**
 * Backtick spans with code punctuation (`const [a] = b;`): the number of matches of
 * /`[^`\n]{0,120}[;=(){}[\]<>][^`\n]{0,120}`/g, found by jumping from backtick to backtick with `indexOf` instead of
 * trying the pattern at every character. A span runs to the next backtick; when it is not code, that backtick may
 * open the next one.
 */
function countCodeSpans(text: string): number {
  let spans = 0
  let open = text.indexOf('`')
  while (open !== -1) {
    const close = text.indexOf('`', open + 1)
    if (close === -1) break
    if (isCodeSpan(text, open + 1, close)) {
      spans++
      open = text.indexOf('`', close + 1)
    } else {
      open = close
    }
  }
  return spans
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

/**
 * `$…$` spans with maths inside: the matches of /\$([^$\n]{1,200}?)\$/g whose inside passes `MATH_INSIDE_DOLLARS`,
 * found by jumping from dollar to dollar. The inside holds no `$`, so a span can only close at the next dollar; when
 * it cannot (nothing inside, a line break, over 200 characters), that dollar is the next one that may open a span.
 */
function countDollarMath(text: string): number {
  let found = 0
  // The first line break after `open` (kept while `open` moves forward, so the whole count reads the text once).
  let newline = -2
  let open = text.indexOf('$')
  while (open !== -1) {
    const close = text.indexOf('$', open + 1)
    if (close === -1) break
    if (newline !== -1 && newline <= open) newline = text.indexOf('\n', open + 1)
    const inside = close - open - 1
    if (inside >= 1 && inside <= 200 && (newline === -1 || newline > close)) {
      if (MATH_INSIDE_DOLLARS.test(text.slice(open + 1, close))) found++
      open = text.indexOf('$', close + 1)
    } else {
      open = close
    }
  }
  return found
}

/** JavaScript's `\s`: what a regex's `\s` matches (without the `u` flag). */
function isRegexSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  )
}

/**
 * The matches of /[$€£¥₹]\s?\d/g: a currency sign, then a digit, right after it or after one space. Matches cannot
 * overlap (a match holds one sign, at its start), so counting each sign's places adds up to the same number.
 */
function countCurrency(text: string): number {
  let found = 0
  for (const sign of CURRENCY_SIGNS) {
    for (let k = text.indexOf(sign); k !== -1; k = text.indexOf(sign, k + 1)) {
      const next = k + 1 < text.length && isRegexSpace(text.charCodeAt(k + 1)) ? k + 2 : k + 1
      if (next < text.length && isDigit(text.charCodeAt(next))) found++
    }
  }
  return found
}

/**
 * Quoted claims of a named speaker: the matches of /\b[A-Z][a-z]{0,20}:[ \t]?["“]/g, found from each colon (rarer
 * than word starts) by looking back at the name and ahead at the quote.
 */
function countSpeakerClaims(text: string): number {
  let found = 0
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    let q = colon + 1
    if (q < text.length && (text.charCodeAt(q) === 0x20 || text.charCodeAt(q) === 0x09)) q++
    const quote = q < text.length ? text.charCodeAt(q) : 0
    if (quote !== 0x22 && quote !== 0x201c) continue
    let start = colon - 1
    while (start >= 0 && colon - start <= SPEAKER_CHARS && isLower(text.charCodeAt(start))) start--
    if (start < 0 || colon - start > SPEAKER_CHARS || !isUpper(text.charCodeAt(start))) continue
    if (start > 0 && isIdentifierCode(text.charCodeAt(start - 1))) continue
    found++
  }
  return found
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
  const scanned =
    chars > window.head + window.tail ? `${text.slice(0, window.head)}\n${text.slice(chars - window.tail)}` : text
  const scale = scanned.length > 0 ? Math.max(1, chars / scanned.length) : 1
  const {ids, symbols, sentences, numbers, snakeCase, errorWords, words, longWords, mathSymbols, names, repeatedNames} =
    tokenize(scanned)
  const has = (bits: number): boolean => (symbols & bits) !== 0
  const {byTag, gates} = matchTokens(ids)
  const tagged = (tag: GateTag): boolean => (gates & GATE[tag]) !== 0

  const lineInfo = scanLines(scanned)
  // A request that names an output structure or picks things out: only then are field lists and data looked for.
  const shapeWords =
    byTag.has(TAG.extract_verb) ||
    byTag.has(TAG.structure_word) ||
    byTag.has(TAG.json_output) ||
    byTag.has(TAG.extraction)

  let latex = countIf(has(SYM.backslash), LATEX_COMMAND, scanned)
  if (has(SYM.dollar)) latex += countDollarMath(scanned)

  // Numbers inside a page of code are not arithmetic problems.
  const prose = lineInfo.codeLines < 5
  const arithmetic =
    countIf(prose && numbers >= 2, ARITHMETIC, scanned) +
    countIf(prose && numbers >= 2 && tagged('gate_arithmetic'), WORD_ARITHMETIC, scanned) +
    countIf(prose && numbers >= 1 && has(SYM.equals), EQUATION, scanned)

  const inlineOptions = has(SYM.paren) && scanned.includes('(A)') ? count(INLINE_OPTION, scanned) : 0
  // Inline options (`… (A) 20 (B) 25`): their numbers, unless the line opens with `(A)` (counted with the lines).
  let inlineAt = inlineOptions >= 2 ? scanned.indexOf('(A)') : -1
  if (inlineAt !== -1 && atLineStart(scanned, inlineAt)) inlineAt = -1
  const inlineEnd = inlineAt === -1 ? -1 : scanned.indexOf('\n', inlineAt)

  let questions = 0
  if (has(SYM.question))
    for (let k = scanned.indexOf('?'); k !== -1; k = scanned.indexOf('?', k + 1))
      if (endsQuestion(scanned, k)) questions++

  return {
    chars,
    scale,
    ids,
    byTag,
    numbers,
    // Field by field: an object spread in the middle of a literal takes V8's slow path.
    lines: lineInfo.lines,
    codeLines: lineInfo.codeLines,
    jsonLines: lineInfo.jsonLines,
    fences: lineInfo.fences,
    fenceLangs: lineInfo.fenceLangs,
    listItems: lineInfo.listItems,
    // Options one per line are counted by both (`(A) …\n(B) …`), options on one line by the inline count only.
    options: Math.max(lineInfo.options, inlineOptions),
    optionNumbers:
      lineInfo.optionNumbers +
      (inlineAt === -1 ? 0 : countNumbers(scanned, inlineAt, inlineEnd === -1 ? scanned.length : inlineEnd)),
    // Inline options: their line's length, less the labels.
    optionChars:
      lineInfo.optionChars +
      (inlineAt === -1 ? 0 : (inlineEnd === -1 ? scanned.length : inlineEnd) - inlineAt - 4 * inlineOptions),
    words,
    longWords,
    mathSymbols,
    names,
    repeatedNames,
    letVariables: countIf(tagged('gate_let'), LET_VARIABLE, scanned),
    stackTraces: countIf(
      tagged('gate_trace') || errorWords > 0 || (tagged('gate_trace_weak') && has(SYM.colon | SYM.quote)),
      STACK_TRACE,
      scanned,
    ),
    inlineCode: snakeCase + (has(SYM.paren) ? countCalls(scanned) : 0),
    codeSpans: has(SYM.backtick) ? countCodeSpans(scanned) : 0,
    syllogisms: countIf(tagged('gate_quantifier'), SYLLOGISM, scanned),
    // Object tracking swaps things several times; `trade` alone is usually about commerce.
    swaps: byTag.has(TAG.gate_swap) ? byTag.count(TAG.gate_swap) + byTag.count(TAG.gate_trade) : 0,
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
    percentOf:
      countIf(has(SYM.percent), PERCENT_OF, scanned) +
      countIf(numbers > 0 && tagged('gate_fraction'), FRACTION_OF, scanned),
    currency: has(SYM.currency) && numbers > 0 ? countCurrency(scanned) : 0,
    percents: countIf(has(SYM.percent), PERCENT, scanned),
    questions,
    sentences,
    countedConstraints: countCountedConstraints(ids, byTag.get(TAG.gate_unit)),
    letterConstraints: countIf(tagged('gate_letter'), LETTER_CONSTRAINT, scanned),
    angleTitle: countIf(has(SYM.less), ANGLE_TITLE, scanned),
    claims:
      chars <= CLAIM_CHARS
        ? countIf(tagged('gate_claim') && (has(SYM.quote) || scanned.includes('“')), CLAIM, scanned) +
          (has(SYM.colon) && names > 0 ? countSpeakerClaims(scanned) : 0)
        : 0,
    // `includes` first: the word `only` is common, a sentence ending in it is not.
    onlyDemands: countIf(
      byTag.has(TAG.constraint_word) && (scanned.includes('only.') || scanned.includes('only!')),
      ONLY_DEMAND,
      scanned,
    ),
    pastedData: byTag.has(TAG.extract_verb) && hasLaterLine(scanned),
    dataBlock: shapeWords && (hasLaterLine(scanned) || hasDataAfterColon(scanned) || hasLongQuote(scanned)),
    fieldList: shapeWords && hasFieldList(scanned),
  }
}

/** Most characters of one item of a field list (`delivery date`, `the order number`). */
const FIELD_CHARS = 28
/** Where a field list is looked for: the request comes first, a long document after it is not read for one. */
const FIELD_LIST_CHARS = 2000
/** Fewest characters of a quotation or of the text after a colon that count as data. */
const DATA_CHARS = 30

/**
 * True when a list of at least three items occurs, its middle items short: `a, b, c` or `a, b and c` (the first item
 * may close a longer clause: `give me a CSV with item, quantity and storage location`).
 */
function hasFieldList(text: string): boolean {
  for (let comma = text.indexOf(','); comma !== -1 && comma < FIELD_LIST_CHARS; comma = text.indexOf(',', comma + 1)) {
    // `1,000` is a number, not a list.
    if (comma + 1 < text.length && isDigit(text.charCodeAt(comma + 1))) continue
    if (shortItemThenComma(text, comma + 1) || lastTwoItems(text, comma + 1)) return true
  }
  return false
}

/** True when `from` starts a short item that a comma ends (`email,`). */
function shortItemThenComma(text: string, from: number): boolean {
  const end = Math.min(text.length, from + FIELD_CHARS)
  for (let k = from; k < end; k++) {
    const c = text.charCodeAt(k)
    if (c === 0x2c) return k > from + 1
    if (isItemBoundary(c)) return false
  }
  return false
}

/** True when `from` starts a short item followed by `and` or `or` (`email and phone number`): a list's end. */
function lastTwoItems(text: string, from: number): boolean {
  const end = Math.min(text.length, from + FIELD_CHARS)
  let k = from
  while (k < end && text.charCodeAt(k) !== 0x2c && !isItemBoundary(text.charCodeAt(k))) k++
  for (let j = from; j < k; j++) {
    if (text.charCodeAt(j) === 0x20 && (text.startsWith('and ', j + 1) || text.startsWith('or ', j + 1))) return true
  }
  return false
}

/** Characters that end an item of a field list on its left: a sentence end, a line break, a colon, a bracket. */
function isItemBoundary(c: number): boolean {
  return c === 0x2e || c === 0x0a || c === 0x3a || c === 0x28 || c === 0x3b || c === 0x3f || c === 0x21
}

/** True when a colon after some words is followed by at least `DATA_CHARS` characters on its line. */
function hasDataAfterColon(text: string): boolean {
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    // `10:14`, `https://`: no colon of a sentence.
    if (colon + 1 < text.length && text.charCodeAt(colon + 1) !== 0x20) continue
    let k = colon + 1
    while (k < text.length && k - colon <= DATA_CHARS && text.charCodeAt(k) !== 0x0a) k++
    if (k - colon > DATA_CHARS) return true
  }
  return false
}

/** True when a quotation (straight or curly double quotes) holds at least `DATA_CHARS` characters. */
function hasLongQuote(text: string): boolean {
  for (let open = text.indexOf('"'); open !== -1;) {
    const close = text.indexOf('"', open + 1)
    if (close === -1) break
    if (close - open > DATA_CHARS) return true
    open = text.indexOf('"', close + 1)
  }
  const curly = text.indexOf('\u201c')
  return curly !== -1 && text.indexOf('\u201d', curly) - curly > DATA_CHARS
}

/** True when a line break is followed by more visible text. */
function hasLaterLine(text: string): boolean {
  const newline = text.indexOf('\n')
  if (newline === -1) return false
  for (let k = newline + 1; k < text.length; k++) if (text.charCodeAt(k) > 0x20) return true
  return false
}

const DATA_FENCE_LANGS = new Set([
  'json',
  'text',
  'txt',
  'markdown',
  'md',
  'csv',
  'yaml',
  'yml',
  'xml',
  'output',
  'console',
  'log',
])

type LineInfo = Pick<
  TextFeatures,
  | 'lines'
  | 'codeLines'
  | 'jsonLines'
  | 'fences'
  | 'fenceLangs'
  | 'listItems'
  | 'options'
  | 'optionNumbers'
  | 'optionChars'
>

/** Numbers (runs of digits, `3.5` counting once) in `[from, to)`. */
function countNumbers(text: string, from: number, to: number): number {
  let found = 0
  let inNumber = false
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k)
    if (isDigit(c)) {
      if (!inNumber) found++
      inNumber = true
    } else if (!(inNumber && (c === 0x2e || c === 0x2c) && k + 1 < to && isDigit(text.charCodeAt(k + 1)))) {
      inNumber = false
    }
  }
  return found
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a
}

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a
}

/** Position of the first `.` at or after `from` that is followed by a visible character (`obj.method`), or -1. */
function codeDotFrom(text: string, from: number): number {
  for (let k = text.indexOf('.', from); k !== -1; k = text.indexOf('.', k + 1)) {
    if (k + 1 < text.length && text.charCodeAt(k + 1) > 0x20) return k
  }
  return -1
}

/**
 * Answers, for lines in text order, whether a line holds `":`, or a character that code lines have and prose lines
 * rarely start with: `(`, `=`, `[`, or a `.` followed by a visible character (`obj.method`, not a full stop). The next
 * position of each is found with `indexOf` and kept until a later line passes it, so a text costs one native search
 * per occurrence instead of a loop over every character of every prose line.
 */
class CodePunctuation {
  private text = ''
  // Next position of each character at or after the last line asked about; -1 when there is none left.
  private paren = 0
  private equals = 0
  private bracket = 0
  private dot = 0
  private keyMark = 0

  /** Starts on a new text. */
  reset(text: string): void {
    this.text = text
    this.paren = this.equals = this.bracket = this.dot = this.keyMark = -2
  }

  /** True when `[first, last]` holds `":` (a JSON key), both characters inside; `first` never decreases. */
  keyMarkWithin(first: number, last: number): boolean {
    if (this.keyMark !== -1 && this.keyMark < first) this.keyMark = this.text.indexOf('":', first)
    return this.keyMark !== -1 && this.keyMark + 1 <= last
  }

  /** True when `[first, last]` holds one of the characters; `first` never decreases between calls. */
  within(first: number, last: number): boolean {
    const text = this.text
    if (this.paren !== -1 && this.paren < first) this.paren = text.indexOf('(', first)
    if (this.equals !== -1 && this.equals < first) this.equals = text.indexOf('=', first)
    if (this.bracket !== -1 && this.bracket < first) this.bracket = text.indexOf('[', first)
    if (this.dot !== -1 && this.dot < first) this.dot = codeDotFrom(text, first)
    return (
      (this.paren !== -1 && this.paren <= last) ||
      (this.equals !== -1 && this.equals <= last) ||
      (this.bracket !== -1 && this.bracket <= last) ||
      (this.dot !== -1 && this.dot <= last)
    )
  }
}

const codePunctuation = new CodePunctuation()

/**
 * Line-level structure in one pass: fences, code lines (inside code fences, or lines that look like code), JSON
 * lines, list items and multiple-choice options.
 */
function scanLines(text: string): LineInfo {
  const info: LineInfo = {
    lines: 0,
    codeLines: 0,
    jsonLines: 0,
    fences: 0,
    fenceLangs: [],
    listItems: 0,
    options: 0,
    optionNumbers: 0,
    optionChars: 0,
  }
  let inFence = false
  let fenceIsCode = false
  const n = text.length
  codePunctuation.reset(text)
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
  if (
    (isDigit(c0) && (c1 === 0x2e || c1 === 0x29 || (isDigit(c1) && (c2 === 0x2e || c2 === 0x29)))) ||
    ((c0 === 0x2d || c0 === 0x2a || c0 === 0x2022) && c1 === 0x20)
  ) {
    info.listItems++
  } else if ((isLower(c0) && c1 === 0x29) || (c0 === 0x28 && isLower(c1) && c2 === 0x29)) {
    info.listItems++
  }
  const optionLetter = c0 === 0x28 ? c1 : c0
  const optionMark = c0 === 0x28 ? c2 : c1
  if (
    optionLetter >= 0x41 &&
    optionLetter <= 0x4a &&
    (optionMark === 0x29 || optionMark === 0x2e || optionMark === 0x3a)
  ) {
    const after = text.charCodeAt(first + (c0 === 0x28 ? 3 : 2))
    if (after === 0x20 || after === 0x09) {
      info.options++
      info.optionNumbers += countNumbers(text, first + 2, last + 1)
      info.optionChars += last - first - (c0 === 0x28 ? 3 : 2)
    }
  }

  const jsonish =
    (c0 === 0x7b && c1 === 0x22) ||
    (c0 === 0x5b && (c1 === 0x7b || c1 === 0x22)) ||
    (c0 === 0x22 && codePunctuation.keyMarkWithin(first, last))
  if (jsonish) {
    info.jsonLines++
    return
  }
  if (lastChar === 0x3b || lastChar === 0x7b || lastChar === 0x7d) {
    info.codeLines++
    return
  }
  // A line that opens like a sentence ("The cache…") is prose unless it has code punctuation or is SQL.
  if (isUpper(c0) && isLower(c1) && !codePunctuation.within(first, last)) return
  CODE_LINE_START.lastIndex = start
  if (CODE_LINE_START.test(text)) info.codeLines++
}

/**
 * Whether the `?` at `at` ends a question: it follows a word (a question mark after a space is code's ternary `a ? b`)
 * and is not part of code's `?.`, `??` or `?:`.
 */
function endsQuestion(text: string, at: number): boolean {
  const before = at > 0 ? text.charCodeAt(at - 1) : 32
  if (before === 32 || before === 9 || before === 10 || before === 63 /* ? */) return false
  const after = text.charCodeAt(at + 1)
  return after !== 46 /* . */ && after !== 63 /* ? */ && after !== 58 /* : */
}
