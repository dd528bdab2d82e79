/**
 * Task evidence: turns the features of one text into weighted signals for `coding`, `thinking`,
 * `instruction_following` and `general`. Weights are in "evidence points"; `general` starts with a prior of
 * `GENERAL_PRIOR`, so any other task needs more than that much evidence to win. Each signal is capped, and the
 * weight of a text is scaled by its place in the request (the last user turn counts fully; see `classifier.ts`).
 */
import {RULE_WORDS} from './lexicon.js'
import {type Hit, TAG} from './phrases.js'
import type {TextFeatures} from './scan.js'
import {NUMBER, wordId, wordIds, type WordSet, wordText} from './tokenizer.js'
import type {Evidence} from './evidence.js'

/** What a request must beat to be anything but `general`. */
export const GENERAL_PRIOR = 1

/** Distinct lexicon terms of a tag (`TAG.x`), in order of first appearance, with their multipliers. */
export function distinctTerms(features: TextFeatures, tag: number): readonly Hit[] {
  return features.byTag.distinct(tag) ?? NO_HITS
}

/** Shared empty result (allocation-free for the common case of a tag with no hits). */
const NO_HITS: readonly Hit[] = Object.freeze([])

/** Adds one signal per distinct term of `tag`: `first` for the first term, `more` for each further one. */
function addTerms(
  ev: Evidence,
  f: TextFeatures,
  m: number,
  tag: number,
  name: string,
  target: Parameters<Evidence['add']>[1],
  first: number,
  more: number,
  cap: number,
): readonly Hit[] {
  const hits = distinctTerms(f, tag)
  for (let index = 0; index < hits.length; index++) {
    const hit = hits[index]
    ev.addTerm(name, target, (index === 0 ? first : more) * hit.w * m, cap, hit.term)
  }
  return hits
}

function hitsOf(f: TextFeatures, tag: number): readonly Hit[] {
  return f.byTag.get(tag) ?? NO_HITS
}

/** The first hit of `others` within `distance` tokens of `hit` (either side, not overlapping it). */
function near(hit: Hit, others: readonly Hit[], distance: number): Hit | undefined {
  for (let k = 0; k < others.length; k++) {
    const o = others[k]
    if ((o.pos >= hit.end && o.pos - hit.end < distance) || (o.end <= hit.pos && hit.pos - o.end < distance)) return o
  }
  return undefined
}

/** The first hit with a full weight (`w >= 1`), if any. */
function firstStrong(hits: readonly Hit[]): Hit | undefined {
  for (let k = 0; k < hits.length; k++) if (hits[k].w >= 1) return hits[k]
  return undefined
}

/** Number of hits with a full weight (`w >= 1`). */
export function countStrong(hits: readonly Hit[]): number {
  let n = 0
  for (let k = 0; k < hits.length; k++) if (hits[k].w >= 1) n++
  return n
}

const LANG_PREPOSITIONS = wordIds(RULE_WORDS.langPrepositions)
const PROBLEM_START = wordIds(RULE_WORDS.problemStart)
const PROBLEM_NOUNS = wordIds(RULE_WORDS.problemNouns)
const PROBLEM_END = wordIds(RULE_WORDS.problemEnd)
const IMPERATIVE_CALCULATION = wordIds(RULE_WORDS.imperativeCalculation)
const POLITE_OPENERS = wordIds(RULE_WORDS.politeOpeners)
const ONE = wordId(RULE_WORDS.one[0])

/** How many words of `set` occur, counting up to `limit`. */
function countWords(ids: Int32Array, set: WordSet, limit: number): number {
  let n = 0
  for (let k = 0; k < ids.length && n < limit; k++) if (set.has(ids[k])) n++
  return n
}

const FIRST_PERSON = wordIds(RULE_WORDS.firstPerson)
const NOT_NAMES = wordIds(RULE_WORDS.notNames)
const QUESTION_WORDS = wordIds(RULE_WORDS.questionWords)
const DOCUMENTS = wordIds(RULE_WORDS.documents)
const SOURCE_MARKERS = wordIds(RULE_WORDS.sourceMarkers)
const COMPOSE_VERBS = wordIds(RULE_WORDS.composeVerbs)
const NOUN_MARKERS = wordIds(RULE_WORDS.nounMarkers)

/** How many times the word `id` occurs. */
function countIds(ids: Int32Array, id: number): number {
  let n = 0
  for (let k = 0; k < ids.length; k++) if (ids[k] === id) n++
  return n
}

/** Most that number-driven thinking evidence may add up to in one text. */
const NUMERIC_CAP = 4.5
/** Verbs that are about code even without a code noun ("implement it in Rust"). */
const STRONG_CODE_VERBS = new Set(['implement', 'code', 'program', 'compile', 'debug', 'refactor'])
const SCREENPLAY_ARTIFACTS = new Set(['script', 'scripts', 'program', 'programs', 'code'])

/** Index of the first id in `set`, or -1. */
function firstOf(ids: Int32Array, set: WordSet): number {
  for (let k = 0; k < ids.length; k++) if (set.has(ids[k])) return k
  return -1
}

/** The first of `verbs` that ends at most 3 tokens before `artifact`. */
function verbBefore(verbs: readonly Hit[], artifact: Hit): Hit | undefined {
  for (let k = 0; k < verbs.length; k++) {
    const v = verbs[k]
    if (v.end <= artifact.pos && artifact.pos - v.end <= 3) return v
  }
  return undefined
}

/**
 * Language names of one kind (`lang` hits, then `lang_weak` hits) beside code words. A strong name needs a code word
 * within 4 tokens (artifacts first, then `tech`, then `code_term`), a weak one an artifact within 3, or a preposition
 * before it (`in Rust`) and some code word or strong code verb anywhere in the text.
 */
function languageEvidence(
  ev: Evidence,
  f: TextFeatures,
  m: number,
  langHits: readonly Hit[],
  strong: boolean,
  artifacts: readonly Hit[],
): void {
  for (const lang of langHits) {
    const partner = strong
      ? (near(lang, artifacts, 4) ?? near(lang, hitsOf(f, TAG.tech), 4) ?? near(lang, hitsOf(f, TAG.code_term), 4))
      : near(lang, artifacts, 3)
    if (partner) {
      ev.add('language_with_artifact', 'coding', 2.5 * m, 2.5, `"${lang.term}" + "${partner.term}"`)
      continue
    }
    const before = lang.pos > 0 ? f.ids[lang.pos - 1] : -1
    if (!strong && LANG_PREPOSITIONS.has(before) && (hasCodeWords(f, artifacts) || hasStrongCodeVerb(f))) {
      ev.add('language_with_artifact', 'coding', 1.5 * m, 2.5, `"${wordText(before)} ${lang.term}"`)
    }
  }
}

function hasCodeWords(f: TextFeatures, artifacts: readonly Hit[]): boolean {
  return artifacts.length > 0 || f.byTag.count(TAG.tech) > 0 || f.byTag.count(TAG.code_term) > 0
}

function hasStrongCodeVerb(f: TextFeatures): boolean {
  const verbs = hitsOf(f, TAG.code_verb)
  for (let k = 0; k < verbs.length; k++) if (STRONG_CODE_VERBS.has(verbs[k].term)) return true
  return false
}

/** Share of their weight that code words keep when they are only a subject or data (see `codingEvidence`). */
const TOPIC_ONLY = 0.25

/** Most tokens between a composing verb and the piece of writing it asks for (`write a short blog post`). */
const COMPOSE_REACH = 3

/**
 * True when the text asks for a piece of writing: a composing verb with a `writing` term as its object within a few
 * words (`write a blog post`, `draft a polite email`, `compose a heartfelt letter`).
 */
function asksForWriting(f: TextFeatures): boolean {
  const pieces = hitsOf(f, TAG.writing)
  for (let k = 0; k < pieces.length; k++) {
    for (let j = Math.max(0, pieces[k].pos - 1 - COMPOSE_REACH); j < pieces[k].pos; j++)
      if (COMPOSE_VERBS.has(f.ids[j])) return true
  }
  return false
}

/**
 * Coding evidence of one text. `aboutCode` is false when the text asks for a piece of writing or an extraction: the
 * languages and tools it names are then its subject or its data (`a blog post about Python`, `SQL` in a résumé).
 */
function codingEvidence(ev: Evidence, f: TextFeatures, m: number, aboutCode: boolean): void {
  if (f.fences > 0) {
    const codeFence = f.codeLines > 0 || f.fenceLangs.length === 0
    ev.add(
      'code_fence',
      'coding',
      (codeFence ? 3 : 0.8) * m,
      3,
      f.fenceLangs.length ? `\`\`\`${f.fenceLangs[0]}` : '``` fence',
    )
  }
  const codeLines = Math.round(f.codeLines * f.scale)
  if (codeLines > 0) {
    ev.add(
      'code_lines',
      'coding',
      (codeLines === 1 ? 0.6 : Math.min(4, 1 + 0.35 * codeLines)) * m,
      4,
      `${codeLines} lines`,
    )
  }
  if (f.stackTraces > 0) ev.add('stack_trace', 'coding', 3 * m, 3, `${f.stackTraces} trace lines`)
  if (f.codeSpans > 0) ev.add('code_span', 'coding', 1.5 * f.codeSpans * m, 3, `${f.codeSpans} \`code\` spans`)
  if (f.codeOperators > 0)
    ev.add('code_operator', 'coding', 0.6 * f.codeOperators * m, 1.2, `${f.codeOperators} operators`)
  if (f.inlineCode > 0) ev.add('identifiers', 'coding', 0.3 * f.inlineCode * m, 0.9, `${f.inlineCode} identifiers`)
  if (f.problemIO > 0) ev.add('problem_io', 'coding', 1.5 * f.problemIO * m, 4.5, 'Input/Output, bounds')
  if (f.bigO > 0) ev.add('big_o', 'coding', 1.5 * m, 1.5, 'O(...) notation')

  const topic = aboutCode ? m : m * TOPIC_ONLY
  addTerms(ev, f, topic, TAG.lang, 'language', 'coding', 1.7, 0.3, 2)
  addTerms(ev, f, topic, TAG.tech, 'tech_term', 'coding', 1.5, 1, 3)
  addTerms(ev, f, topic, TAG.code_term, 'code_term', 'coding', 1.5, 1.2, 3.6)
  addTerms(ev, f, topic, TAG.code_weak, 'code_vocabulary', 'coding', 0.3, 0.3, 1.2)
  addTerms(ev, f, topic, TAG.sysdesign, 'system_design', 'coding', 0.8, 0.8, 2.4)

  // A language name beside a code artifact: "C++ program", "Go function", "R script", "in Rust with tokio".
  const artifacts = hitsOf(f, TAG.code_artifact)
  languageEvidence(ev, f, topic, hitsOf(f, TAG.lang), true, artifacts)
  languageEvidence(ev, f, topic, hitsOf(f, TAG.lang_weak), false, artifacts)

  // "write a function", "implement the ... class", unless a script is a screenplay ("script for a YouTube video").
  const verbs = hitsOf(f, TAG.code_verb)
  const media = hitsOf(f, TAG.media)
  const langs = hitsOf(f, TAG.lang).length + hitsOf(f, TAG.lang_weak).length
  for (const artifact of artifacts) {
    const verb = verbBefore(verbs, artifact)
    if (!verb) continue
    if (SCREENPLAY_ARTIFACTS.has(artifact.term) && langs === 0 && near(artifact, media, 9)) {
      ev.add('screenplay', 'general', 0.6 * m, 0.6, `"${artifact.term}" for media`)
      continue
    }
    ev.add('code_request', 'coding', 2.5 * m, 3, `"${verb.term}" … "${artifact.term}"`)
  }

  // Programming-problem shape: "Given an array ... return ..." (LeetCode, HumanEval docstrings).
  const given = firstOf(f.ids, PROBLEM_START)
  if (given !== -1) {
    const limit = Math.min(f.ids.length, given + 80)
    let structure = -1
    for (let k = given + 1; k < limit; k++) {
      const id = f.ids[k]
      if (structure === -1 && PROBLEM_NOUNS.has(id)) structure = id
      else if (structure !== -1 && PROBLEM_END.has(id)) {
        ev.add('programming_problem', 'coding', 2 * m, 2, `"given" ${wordText(structure)} … "return"`)
        break
      }
    }
  }
}

/** Thinking evidence of one text; `writing` when it asks for a piece of writing (whose characters are no puzzle). */
function thinkingEvidence(ev: Evidence, f: TextFeatures, m: number, writing: boolean): void {
  // Maths words and numbers inside code (a docstring, an example) describe what the code computes: half weight.
  const inCode = f.codeLines >= 2 || f.fences > 0 || f.stackTraces > 0
  const mm = inCode ? m * 0.5 : m
  const mathTerms = addTerms(ev, f, mm, TAG.math_term, 'math_term', 'thinking', 1, 1, 3)
  addTerms(ev, f, mm, TAG.competition, 'competition_math', 'thinking', 1.2, 1.2, 3.6)
  addTerms(ev, f, m, TAG.proof, 'proof', 'thinking', 1.5, 0.3, 2)
  addTerms(ev, f, m, TAG.reasoning_cue, 'reasoning_cue', 'thinking', 1.5, 0.5, 2.5)
  addTerms(ev, f, m, TAG.estimation, 'estimation', 'thinking', 1.4, 0.3, 2)
  addTerms(ev, f, m, TAG.logic, 'logic_puzzle', 'thinking', 1.2, 1.2, 3.6)
  addTerms(ev, f, m, TAG.cipher, 'cipher', 'thinking', 1, 1, 2.5)

  // Number-driven evidence (word problems, expressions, numeric questions) is one family with one cap: numbers in
  // a pasted table or a programming problem's examples must not outvote everything else.
  const numeric: Array<[name: string, weight: number, detail: string]> = []
  // Numbers in multiple-choice options are candidate answers: the question's own numbers make it a calculation.
  const quantities = Math.max(0, Math.round((f.numbers - f.optionNumbers + f.byTag.count(TAG.number_word)) * f.scale))
  const quantityQuestions = distinctTerms(f, TAG.quantity_q)
  const units = hitsOf(f, TAG.unit)
  if (quantityQuestions.length > 0 && quantities > 0) {
    const withOnes = quantities + countIds(f.ids, ONE)
    const weight = withOnes >= 4 ? 3.5 : withOnes >= 2 ? 3 : units.length > 0 ? 1.5 : 0.8
    numeric.push(['math_word_problem', weight, `${quantities} quantities + "${quantityQuestions[0].term}"`])
  }
  const calcVerbs = distinctTerms(f, TAG.calc_verb)
  if (calcVerbs.length > 0 && quantities > 0) {
    numeric.push(['calculation', quantities >= 2 ? 1.5 : 1, `"${calcVerbs[0].term}" + ${quantities} numbers`])
  }
  const strongMath = firstStrong(mathTerms)
  if (strongMath && quantities > 0) {
    numeric.push(['math_with_numbers', 1, `"${strongMath.term}" + ${quantities} numbers`])
  } else if (strongMath && quantityQuestions.length > 0) {
    numeric.push(['math_question', 0.8, `"${strongMath.term}" + "${quantityQuestions[0].term}"`])
  }
  // Numbers with units in a short question (a long text with a few numbers in passing is not a problem).
  const dense = f.ids.length <= 200 || quantities / f.ids.length >= 0.06
  if (quantities >= 3 && dense && f.questions > 0 && (units.length > 0 || f.currency > 0 || mathTerms.length > 0)) {
    numeric.push(['numeric_question', 1.2, `${quantities} numbers with units`])
  }
  if (f.arithmetic > 0) numeric.push(['arithmetic', Math.min(3, 1.5 * f.arithmetic), `${f.arithmetic} expressions`])
  if (f.percentOf > 0) numeric.push(['percent_of', 2.5, '"N% of"'])
  // Numbers as the candidate answers of a question with numbers, a quantity asked for or a maths term: a calculation.
  if (
    f.options >= 2 &&
    f.optionNumbers >= Math.max(2, f.options - 1) &&
    (quantities > 0 || quantityQuestions.length > 0 || strongMath)
  ) {
    numeric.push(['numeric_answers', 1.2, `${f.optionNumbers} numbers in options`])
  }
  let numericTotal = 0
  for (const [, weight] of numeric) numericTotal += weight
  const factor = numericTotal > NUMERIC_CAP ? NUMERIC_CAP / numericTotal : 1
  for (const [name, weight, detail] of numeric) ev.add(name, 'thinking', weight * factor * mm, 3.5, detail)

  const opening = POLITE_OPENERS.has(f.ids[0]) ? f.ids[1] : f.ids[0]
  if (opening !== undefined && IMPERATIVE_CALCULATION.has(opening)) {
    ev.add('calculation_request', 'thinking', 1.2 * m, 1.2, `"${wordText(opening)}" …`)
  }
  if (f.syllogisms >= 2) ev.add('syllogism', 'thinking', 1.5 * m, 1.5, `${f.syllogisms} quantified statements`)
  if (f.swaps >= 2) ev.add('object_tracking', 'thinking', 1.5 * m, 1.5, `${f.swaps} swaps`)
  if (f.booleanExpressions > 0) ev.add('boolean_expression', 'thinking', 2 * m, 2, 'True/False with and/or')
  if (f.riddles > 0) ev.add('riddle', 'thinking', 1.5 * m, 1.5, '"what has … but …?"')
  if (f.latex > 0) ev.add('latex_math', 'thinking', 1.2 * f.latex * m, 3, `${f.latex} LaTeX`)

  const planning = distinctTerms(f, TAG.planning)
  if (planning.length > 0) {
    const constraints = distinctTerms(f, TAG.constraint_word)
    const constrained = constraints.length >= 2
    ev.add(
      'constrained_planning',
      'thinking',
      (constrained ? 2 : 0.4) * m,
      2,
      `"${planning[0].term}" + ${constraints.length} constraints`,
    )
  }
  if (f.options >= 2) ev.add('multiple_choice', 'thinking', 0.3 * m, 0.3, `${f.options} options`)
  if (f.mathSymbols >= 2)
    ev.add('math_notation', 'thinking', 0.5 * f.mathSymbols * mm, 1.5, `${f.mathSymbols} maths symbols`)
  if (f.letVariables > 0) ev.add('named_objects', 'thinking', 1.2 * m, 1.2, `"let … be" ×${f.letVariables}`)
  if (!writing) deductionEvidence(ev, f, m)
}

/** Fewest constraint words (relations, negations, positions) that make a cast of names a puzzle. */
const PUZZLE_CONSTRAINTS = 3
/** Longest text read as a puzzle, in tokens (a long seating puzzle has about 250). */
const PUZZLE_TOKENS = 400

/**
 * A deduction puzzle: a cast that recurs, statements that constrain it (relations, negations, positions, kinship),
 * and a question or an ask to work the answer out. No lexicon of puzzle types: the shape is the evidence (seating,
 * ordering, truth-tellers, family trees, assignment grids alike). The cast is named people (`Ana`, `Ben`, `B`), or
 * objects told apart by a number (`box 1`, `locker 3`), or the speakers of quoted claims; without any, the puzzle's
 * own framing (`exactly one of`, `no two`, `one each`, `at a time`) must carry thick constraints.
 */
function deductionEvidence(ev: Evidence, f: TextFeatures, m: number): void {
  if (f.codeLines > 0 || f.fences > 0 || f.ids.length > PUZZLE_TOKENS) return
  // A puzzle is told in the third person; "my sister Anna … what should I get her?" is the asker's own life.
  const firstPerson = countWords(f.ids, FIRST_PERSON, 2)
  const asks = f.questions > 0 || f.byTag.has(TAG.calc_verb) || f.byTag.has(TAG.reasoning_cue) || f.byTag.has(TAG.logic)
  if (firstPerson < 2) familyTreeEvidence(ev, f, m, firstPerson)
  positionFromEndEvidence(ev, f, m)
  if (firstPerson >= 2) return
  if (asks) dateEvidence(ev, f, m)
  const constraints = f.byTag.count(TAG.relation)
  // Constraints come thick in a puzzle (about one a sentence), thin in a story or a transcript that names people.
  const thick = constraints >= PUZZLE_CONSTRAINTS && constraints >= 0.5 * f.sentences
  const cast = f.repeatedNames >= 2 || (f.repeatedNames >= 1 && f.names >= 3)
  const frames = f.byTag.count(TAG.puzzle_frame) + assignmentFrames(f.ids)
  if (cast) {
    // A framing term (`all different`, `one each`) stands for a constraint: the cast then needs fewer of them.
    const framed = asks && frames > 0 && constraints >= PUZZLE_CONSTRAINTS - 1
    if (!(thick || framed) || (!asks && constraints < 5)) return
    const weight = 1.6 + 0.2 * (constraints - PUZZLE_CONSTRAINTS) + 0.2 * (f.repeatedNames - 1)
    ev.add(
      'deduction_puzzle',
      'thinking',
      Math.min(2.4, weight) * m,
      2.4,
      `${f.names} names, ${constraints} constraints`,
    )
    return
  }
  if (!asks) return
  // A restriction (`only once`, `a single question`, `at a time`) and a question asking for a method or a verdict.
  const method = distinctTerms(f, TAG.method_question)
  if (frames > 0 && method.length > 0 && f.sentences >= 2 && firstPerson === 0) {
    ev.addTerm('restricted_method', 'thinking', 1.8 * m, 1.8, method[0].term)
    return
  }
  const labelled = labelledObjects(f.ids)
  // Speakers of quoted claims, or objects with labels, with a truth value or an exclusive condition to test them by.
  if ((f.claims >= 2 || labelled >= 2) && (frames > 0 || f.byTag.has(TAG.logic) || thick)) {
    const detail = f.claims >= 2 ? `${f.claims} quoted claims` : `${labelled} labelled objects`
    ev.add('deduction_puzzle', 'thinking', (frames > 0 ? 2 : 1.6) * m, 2.4, detail)
    return
  }
  if (f.questions === 0 || f.sentences < 2) return
  // Places and orders given one after another (`above`, `directly left of`, `older than`) and a question: an
  // arrangement to work out, even without framing words.
  const arranged = f.byTag.count(TAG.arrangement)
  // A framed puzzle with numbers (`two at a time`, crossing times of 1, 3, 6 and 8 minutes) needs no more wording.
  const quantities = f.numbers - f.optionNumbers + f.byTag.count(TAG.number_word)
  if ((frames > 0 && (thick || quantities >= 3)) || (arranged >= PUZZLE_CONSTRAINTS && arranged >= 0.5 * f.sentences)) {
    const weight = 1.6 + 0.2 * (constraints - PUZZLE_CONSTRAINTS)
    ev.add(
      'constraint_puzzle',
      'thinking',
      Math.min(2.2, weight) * m,
      2.2,
      `${frames} framing terms, ${constraints} constraints`,
    )
    return
  }
  // Short statements, most of them a constraint (`X beat Y but lost to Z`, `was not last`), then a question: things
  // told apart by description (`the runner in green`) instead of by name.
  if (thick && constraints > PUZZLE_CONSTRAINTS && f.sentences >= 3 && f.ids.length <= CONSTRAINT_LIST_TOKENS) {
    ev.add('constraint_puzzle', 'thinking', 1.4 * m, 2.2, `${constraints} constraints in ${f.sentences} sentences`)
  }
}

/** Longest text read as a list of constraint statements without a cast, in tokens. */
const CONSTRAINT_LIST_TOKENS = 150

const DATE_TARGETS = wordIds(RULE_WORDS.dateTargets)
const DATE_SHIFTS = wordIds(RULE_WORDS.dateShifts)
const DATE_ANCHORS = wordIds(RULE_WORDS.dateAnchors)

/**
 * Date arithmetic: a question for a day or a date (`what day will it be`, `what is the date`) with a shift in time
 * (`ago`, `later`, `tomorrow`, `100 days from now`) and a point to count from (a weekday, a month, a number, `today`).
 */
function dateEvidence(ev: Evidence, f: TextFeatures, m: number): void {
  const ids = f.ids
  let target = -1
  for (let k = 0; k + 1 < ids.length && target === -1; k++) {
    if (!QUESTION_WORDS.has(ids[k])) continue
    const last = Math.min(ids.length - 1, k + 3)
    for (let j = k + 1; j <= last; j++) if (DATE_TARGETS.has(ids[j])) target = j
  }
  if (target === -1) return
  let shifts = 0
  let anchors = 0
  for (let k = 0; k < ids.length; k++) {
    if (DATE_SHIFTS.has(ids[k])) shifts++
    if (DATE_ANCHORS.has(ids[k]) || ids[k] === NUMBER) anchors++
  }
  // `yesterday` and `tomorrow` are both a shift and an anchor: a second mention is needed either way.
  if (shifts > 0 && anchors >= 2)
    ev.add('date_arithmetic', 'thinking', 1.6 * m, 1.6, `"${wordText(ids[target])}" + shift`)
}

const EACH = wordId(RULE_WORDS.each[0])
const DIFFERENT = wordId(RULE_WORDS.different[0])
/** Most tokens between `each` and `different` in `each … a different`. */
const EACH_REACH = 4

/**
 * Assignment frames: `each … a different` (every member gets its own value) and a question that pairs two unknowns
 * (`who ordered what`, `which pet belongs to whom`).
 */
function assignmentFrames(ids: Int32Array): number {
  let frames = 0
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]
    if (id === EACH) {
      const last = Math.min(ids.length - 1, k + EACH_REACH)
      for (let j = k + 1; j <= last; j++) {
        if (ids[j] === DIFFERENT) {
          frames++
          break
        }
      }
    } else if (QUESTION_WORDS.has(id)) {
      const last = Math.min(ids.length - 1, k + 4)
      for (let j = k + 2; j <= last; j++) {
        if (QUESTION_WORDS.has(ids[j])) {
          frames++
          break
        }
      }
    }
  }
  return frames
}

const RELATED = wordIds(RULE_WORDS.related)

/**
 * A family-tree puzzle: kinship terms and a question about how two people are related (`how is the woman related to
 * Raj?`). The asker's own family (`my husband and his mother`) is advice, unless the tree is spelled out at length.
 */
function familyTreeEvidence(ev: Evidence, f: TextFeatures, m: number, firstPerson: number): void {
  const kin = f.byTag.count(TAG.kinship)
  if (kin < 2 || f.questions === 0 || (firstPerson > 0 && kin < 3)) return
  if (firstOf(f.ids, RELATED) === -1) return
  ev.add('family_tree', 'thinking', 2 * m, 2, `${kin} kinship terms`)
}

const ORDINALS = wordIds(RULE_WORDS.ordinals)

/** A place counted from one end of a row or a ranking (`ranks 12th from the top`, `third from the left`). */
function positionFromEndEvidence(ev: Evidence, f: TextFeatures, m: number): void {
  const ends = hitsOf(f, TAG.row_end)
  for (let k = 0; k < ends.length; k++) {
    const before = ends[k].pos > 0 ? f.ids[ends[k].pos - 1] : -1
    if (before === NUMBER || ORDINALS.has(before)) {
      ev.addTerm('position_from_end', 'thinking', 1.6 * m, 1.6, ends[k].term)
      return
    }
  }
}

/** Labels a scan remembers while counting labelled objects (a puzzle has a handful). */
const MAX_LABELS = 16
const labelWords = new Int32Array(MAX_LABELS)

/**
 * Objects told apart by a number (`box 1 … box 2 … box 3`, `statement 2`, `chair 4`): how many mentions carry the
 * label of a kind already seen with another one. Function words before a number (`in 2019`, `at 3`) are no kind.
 */
function labelledObjects(ids: Int32Array): number {
  let kinds = 0
  let labelled = 0
  for (let k = 1; k < ids.length; k++) {
    const word = ids[k - 1]
    if (ids[k] !== NUMBER || word < 0 || NOT_NAMES.has(word)) continue
    let seen = false
    for (let j = 0; j < kinds && !seen; j++) seen = labelWords[j] === word
    if (seen) labelled++
    else if (kinds < MAX_LABELS) labelWords[kinds++] = word
  }
  return labelled
}

/** Most tokens between a source marker and the document it points at (`from the candidate's résumé`). */
const MARKER_REACH = 4
/** Most tokens between an extraction verb and the document it reads from. */
const EXTRACTION_REACH = 25

/** An extraction request: its verb (or question word) and the document it reads from. */
interface Extraction {
  verb: string
  doc: string
}

/**
 * A document the text points at near token `at` (`the text below`, `this email`, `from the résumé`, `according to
 * this summary`): a `documents` word within `reach` tokens of it, with a source marker up to `MARKER_REACH` tokens
 * before it or right after it. Returns its token index, or -1.
 */
function referencedDocument(ids: Int32Array, at: number, reach: number): number {
  const last = Math.min(ids.length - 1, at + reach)
  for (let d = Math.max(0, at - reach); d <= last; d++) {
    if (!DOCUMENTS.has(ids[d])) continue
    if (d + 1 < ids.length && SOURCE_MARKERS.has(ids[d + 1])) return d
    for (let k = Math.max(0, d - MARKER_REACH); k < d; k++) if (SOURCE_MARKERS.has(ids[k])) return d
  }
  return -1
}

/**
 * An extraction request: a verb that picks things out (`list`, `pull out`, `identify`, `fill in`, `convert`) and a
 * document given in the prompt. The answer is a structure read off the text, not an essay about it.
 */
function extractionRequest(f: TextFeatures): Extraction | undefined {
  const verbs = hitsOf(f, TAG.extract_verb)
  if (verbs.length === 0) return documentQuestion(f) ?? schemaOverData(f)
  // Field names to fill (`the name, email and phone number`) shape the answer as much as `a table` does.
  const shaped = outputShaped(f) || f.fieldList
  for (let k = 0; k < verbs.length; k++) {
    if (verbs[k].w < 1 && !shaped) continue
    if (verbs[k].pos > 0 && NOUN_MARKERS.has(f.ids[verbs[k].pos - 1])) continue
    // The document must be near the verb: a verb inside the document itself is not the request.
    const doc = referencedDocument(f.ids, verbs[k].pos, EXTRACTION_REACH)
    if (doc !== -1) return {verb: verbs[k].term, doc: wordText(f.ids[doc])}
  }
  // A text that opens with the verb (`Extract …`, `Please convert …`) and carries the data after its first line.
  const opening = verbs[0].pos === 0 || (verbs[0].pos === 1 && POLITE_OPENERS.has(f.ids[0]))
  if (opening && shaped && f.pastedData && f.codeLines === 0 && f.options < 2) {
    return {verb: verbs[0].term, doc: 'pasted data'}
  }
  return documentQuestion(f) ?? schemaOverData(f)
}

/**
 * The shape of an extraction without its verb: an output structure, the fields to fill and the data to fill them
 * from (`I need the order number, the items and the delivery date in a table. Order #A-55812: …`). Code requests
 * and multiple-choice questions have their own shape.
 */
function schemaOverData(f: TextFeatures): Extraction | undefined {
  if (!f.fieldList || !f.dataBlock || !outputShaped(f)) return undefined
  if (f.codeLines > 0 || f.fences > 0 || f.options >= 2) return undefined
  if (f.byTag.has(TAG.code_artifact) || f.byTag.has(TAG.lang)) return undefined
  return {verb: 'fields', doc: 'data'}
}

/** Most tokens from the start of a text to the question word of a question about a document. */
const QUESTION_REACH = 12

/**
 * A question about a document given in the prompt that fixes the shape of its answer: `What were the figures for
 * each quarter according to this summary? Give the quarter and the amount only.` The answer is read off the text.
 */
function documentQuestion(f: TextFeatures): Extraction | undefined {
  if (!(outputShaped(f) || f.byTag.has(TAG.output_only) || f.onlyDemands > 0)) return undefined
  const limit = Math.min(f.ids.length, QUESTION_REACH)
  for (let k = 0; k < limit; k++) {
    if (!QUESTION_WORDS.has(f.ids[k])) continue
    const doc = referencedDocument(f.ids, k, EXTRACTION_REACH)
    if (doc !== -1) return {verb: wordText(f.ids[k]), doc: wordText(f.ids[doc])}
    return undefined
  }
  return undefined
}

/** True when the text names an output structure: a table, columns, JSON, CSV, fields, one item per line. */
function outputShaped(f: TextFeatures): boolean {
  return f.byTag.has(TAG.structure_word) || f.byTag.has(TAG.json_output) || f.byTag.has(TAG.extraction)
}

function extractionEvidence(ev: Evidence, f: TextFeatures, m: number, request: Extraction): void {
  ev.add(
    'extraction_request',
    'instruction_following',
    (outputShaped(f) ? 2.8 : 2.4) * m,
    2.8,
    `"${request.verb}" … "${request.doc}"`,
  )
}

/** Instruction-following evidence of one text. */
function instructionEvidence(ev: Evidence, f: TextFeatures, m: number, extraction: Extraction | undefined): void {
  if (extraction) extractionEvidence(ev, f, m, extraction)
  if (f.countedConstraints > 0) {
    ev.add(
      'counted_constraint',
      'instruction_following',
      1.5 * f.countedConstraints * m,
      4.5,
      `${f.countedConstraints} counts`,
    )
  }
  if (f.letterConstraints > 0) {
    ev.add('letter_constraint', 'instruction_following', 1.5 * f.letterConstraints * m, 3, 'letter rule')
  }
  if (f.punctuationRules > 0) {
    ev.add('punctuation_rule', 'instruction_following', 1.5 * f.punctuationRules * m, 3, `${f.punctuationRules} rules`)
  }
  if (f.angleTitle > 0) ev.add('title_format', 'instruction_following', 1.5 * m, 1.5, '<<title>>')
  const rules = addTerms(ev, f, m, TAG.format_rule, 'format_rule', 'instruction_following', 1.2, 1.2, 4.8)
  addTerms(ev, f, m, TAG.case_rule, 'case_rule', 'instruction_following', 1.8, 0.6, 3)
  addTerms(ev, f, m, TAG.json_output, 'structured_output', 'instruction_following', 1.6, 0.4, 2)
  addTerms(ev, f, m, TAG.output_only, 'output_only', 'instruction_following', 1.2, 1.2, 2.4)
  addTerms(ev, f, m, TAG.extraction, 'extraction', 'instruction_following', 1.2, 0.9, 2.7)
  const preserve = addTerms(ev, f, m, TAG.preserve, 'preserve_content', 'instruction_following', 0.8, 0.8, 1.6)
  addTerms(ev, f, m, TAG.structure_word, 'structure_request', 'instruction_following', 0.5, 0.5, 1)
  const rewrite = addTerms(ev, f, m, TAG.rewrite, 'rewrite', 'instruction_following', 1.5, 0, 1.5)
  if (rewrite.length > 0 && (preserve.length > 0 || rules.length > 0 || f.countedConstraints > 0)) {
    ev.add('constrained_rewrite', 'instruction_following', 1 * m, 1, `"${rewrite[0].term}" with rules`)
  }
}

/** General evidence of one text: everyday questions, writing requests and role-play. */
function generalEvidence(ev: Evidence, f: TextFeatures, m: number): void {
  addTerms(ev, f, m, TAG.general_cue, 'general_cue', 'general', 0.3, 0.3, 0.6)
  addTerms(ev, f, m, TAG.writing, 'writing_request', 'general', 0.4, 0.4, 0.8)
  addTerms(ev, f, m, TAG.roleplay, 'roleplay', 'general', 0.6, 0.3, 0.9)
}

/** Adds the task evidence of one text, scaled by `m` (its weight in the request). */
export function addTaskEvidence(ev: Evidence, f: TextFeatures, m: number): void {
  const extraction = extractionRequest(f)
  const writing = asksForWriting(f)
  codingEvidence(ev, f, m, extraction === undefined && !writing)
  thinkingEvidence(ev, f, m, writing)
  instructionEvidence(ev, f, m, extraction)
  generalEvidence(ev, f, m)
}
