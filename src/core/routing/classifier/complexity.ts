/**
 * Complexity: how capable a model the request needs. The score adds a base per task and independent signals —
 * length (log of the token estimate), explicit constraints, sub-questions, domain depth, vocabulary level, maths
 * notation and abstraction, code size and kind, competition-maths markers, conversation length, tools, media,
 * requested output — then the user's own
 * `reasoning_effort` overrides the tier. Tiers, by score:
 *
 *   low    <  1.4   one-step asks: a fact, a conversion, "what is 15% of 80", a one-line regex, a short reply
 *   medium <  2.9   a few steps: a word problem, a small function or app, a constrained paragraph, a page of context
 *   high   <  4.8   depth: concurrency, proofs, competition-style problems, long code, a system component
 *   xhigh  >= 4.8   several deep signals at once: distributed design, olympiad and research maths, long multi-part tasks
 *
 * For scale: a task base is 0.6–1.3, a 1 000-token prompt adds about 1.7 for length, each advanced-domain term 1.2,
 * each competition-maths marker 0.9. The thresholds were set on the labelled fixture
 * (`test/fixtures/classifier/prompts.jsonl`) to maximise exact-tier agreement without hurting the ranking.
 * The weights are chosen so that the score ranks what stumps a small model above what a small model gets right.
 */
import type {Complexity, Task} from '../../config/schema.js'
import type {Evidence} from './evidence.js'
import type {ExtractedRequest} from './extract.js'
import type {TextFeatures} from './scan.js'
import {TAG} from './phrases.js'
import {countStrong, distinctTerms} from './task.js'

/** Lower bounds of the tiers above `low` (see the table above). */
export const TIER_THRESHOLDS = {medium: 1.4, high: 2.9, xhigh: 4.8} as const

/** Score a request starts from, per task: a code or maths request is rarely trivial. */
const TASK_BASE: Record<Task, number> = {
  general: 0.6,
  instruction_following: 1,
  coding: 1.2,
  thinking: 1.1,
  image: 1,
}

/** Tier of a score. */
export function tierOf(score: number): Complexity {
  if (score >= TIER_THRESHOLDS.xhigh) return 'xhigh'
  if (score >= TIER_THRESHOLDS.high) return 'high'
  if (score >= TIER_THRESHOLDS.medium) return 'medium'
  return 'low'
}

/** A text of the request with its weight (1 for the last user turn) for the task and for complexity. */
export interface WeightedFeatures {
  features: TextFeatures
  weight: number
  /** 0 for an agent's system prompt: it says what kind of work this is, not how hard this turn is. */
  complexityWeight: number
}

function addTermDepth(
  ev: Evidence,
  f: TextFeatures,
  m: number,
  tag: number,
  name: string,
  each: number,
  cap: number,
): void {
  const hits = distinctTerms(f, tag)
  for (let k = 0; k < hits.length; k++) ev.addTerm(name, 'complexity', each * hits[k].w * m, cap, hits[k].term)
}

/** Complexity evidence of one text. */
function textComplexity(ev: Evidence, f: TextFeatures, m: number, task: Task): void {
  addTermDepth(ev, f, m, TAG.depth_advanced, 'advanced_domain', 1.2, 3)
  addTermDepth(ev, f, m, TAG.depth_intermediate, 'domain_depth', 0.4, 1.6)
  addTermDepth(ev, f, m, TAG.code_hard, 'hard_code_kind', 0.6, 1.8)
  addTermDepth(ev, f, m, TAG.competition, 'competition_markers', 0.9, 3.6)
  addTermDepth(ev, f, m, TAG.effort_up, 'asks_for_depth', 0.4, 1.2)
  addTermDepth(ev, f, m, TAG.simplicity, 'asks_for_simple', -0.35, 1.05)
  addTermDepth(ev, f, m, TAG.analysis, 'analysis', 0.3, 0.9)
  if (f.options >= 3) {
    ev.add('exam_question', 'complexity', 0.4 * m, 0.4, `${f.options} options`)
    // Options that are statements or expressions to weigh (`Gs stays bound to GTP, adenylyl cyclase stays active`)
    // ask more than one-word facts or small numbers (`(A) shark`, `A. 64`).
    const perOption = f.optionChars / f.options
    if (perOption > PLAIN_OPTION_CHARS) {
      const weight = Math.min(OPTION_LENGTH_CAP, PER_OPTION_CHAR * (perOption - PLAIN_OPTION_CHARS))
      ev.add('option_length', 'complexity', weight * m, OPTION_LENGTH_CAP, `${Math.round(perOption)} chars an option`)
    }
  }
  vocabularyLevel(ev, f, m)
  if (task === 'coding') {
    addTermDepth(ev, f, m, TAG.sysdesign, 'system_design', 0.5, 2)
    addTermDepth(ev, f, m, TAG.code_big, 'code_scope', 0.4, 0.8)
    addTermDepth(ev, f, m, TAG.code_small, 'code_scope_small', -0.25, 0.5)
    const breadth =
      distinctTerms(f, TAG.tech).length +
      distinctTerms(f, TAG.code_term).length +
      distinctTerms(f, TAG.sysdesign).length +
      distinctTerms(f, TAG.lang).length
    if (breadth > 1)
      ev.add('technical_breadth', 'complexity', 0.15 * (breadth - 1) * m, 0.9, `${breadth} technical terms`)
    if (f.problemIO > 0) ev.add('algorithmic_problem', 'complexity', 0.5 * m, 0.5, 'problem statement')
  }
  if (task === 'thinking') {
    const mathTerms = countStrong(distinctTerms(f, TAG.math_term))
    if (mathTerms > 0) ev.add('math_vocabulary', 'complexity', 0.2 * mathTerms * m, 1, `${mathTerms} maths terms`)
    addTermDepth(ev, f, m, TAG.proof, 'proof', 0.8, 0.8)
    addTermDepth(ev, f, m, TAG.logic, 'logic_steps', 0.35, 1.4)
    const quantities = Math.max(0, f.numbers - f.optionNumbers) + f.byTag.count(TAG.number_word)
    if (quantities > 2)
      ev.add('many_quantities', 'complexity', 0.08 * (quantities - 2) * m, 0.8, `${quantities} quantities`)
    const quantityQuestion = distinctTerms(f, TAG.quantity_q).length > 0
    if (quantityQuestion && quantities >= 2)
      ev.add('word_problem', 'complexity', 0.35 * m, 0.35, 'quantities + question')
    if (f.sentences > 1)
      ev.add('reasoning_steps', 'complexity', 0.12 * (f.sentences - 1) * m, 0.72, `${f.sentences} sentences`)
    if (f.latex > 0) ev.add('notation', 'complexity', 0.2 * f.latex * m, 1.2, `${f.latex} LaTeX`)
    if (f.mathSymbols > 0)
      ev.add('symbols', 'complexity', 0.1 * f.mathSymbols * m, 0.6, `${f.mathSymbols} maths symbols`)
    if (f.letVariables > 0)
      ev.add('abstraction', 'complexity', 0.6 * f.letVariables * m, 1.2, `"let … be" ×${f.letVariables}`)
  }

  const codeLines = Math.round(f.codeLines * f.scale)
  if (codeLines > 0)
    ev.add('code_size', 'complexity', 0.3 * Math.log2(1 + codeLines) * m, 1.8, `${codeLines} code lines`)
  if (f.stackTraces > 0) ev.add('debugging', 'complexity', 0.3 * m, 0.3, 'stack trace')

  const constraints =
    f.countedConstraints +
    f.letterConstraints +
    distinctTerms(f, TAG.format_rule).length +
    distinctTerms(f, TAG.case_rule).length +
    distinctTerms(f, TAG.output_only).length +
    (distinctTerms(f, TAG.constraint_word).length >= 2 && distinctTerms(f, TAG.planning).length > 0
      ? distinctTerms(f, TAG.constraint_word).length
      : 0)
  if (constraints > 0) ev.add('constraints', 'complexity', 0.3 * constraints * m, 1.8, `${constraints} constraints`)
  if (f.questions > 1)
    ev.add('sub_questions', 'complexity', 0.25 * (f.questions - 1) * m, 1, `${f.questions} questions`)
  if (f.listItems > 2)
    ev.add('enumerated_parts', 'complexity', 0.12 * (f.listItems - 2) * m, 0.8, `${f.listItems} items`)
}

/** Characters of an option up to which it is a plain answer, the score per character above, and its most. */
const PLAIN_OPTION_CHARS = 12
const PER_OPTION_CHAR = 0.02
const OPTION_LENGTH_CAP = 0.8

/** Share of long words from which the vocabulary raises the score, and the score per point of share above it. */
const PLAIN_WORDS = 0.05
const PER_LONG_WORD_SHARE = 10
/** Fewest words for the share to mean anything. */
const VOCABULARY_SAMPLE = 8
/** Plain words assumed besides the text's own, so that three long words in a ten-word question do not count much. */
const VOCABULARY_PRIOR = 10

/**
 * The level of the vocabulary: the share of long words (`heterozygous`, `diamagnetic`, `adiabatically`) above what
 * plain prose has. The same question asked of a child and of a graduate student differs in little else; it is the
 * readability formulas' word-length term, without a word list.
 */
function vocabularyLevel(ev: Evidence, f: TextFeatures, m: number): void {
  if (f.words < VOCABULARY_SAMPLE) return
  const share = f.longWords / (f.words + VOCABULARY_PRIOR)
  if (share <= PLAIN_WORDS) return
  ev.add(
    'vocabulary_level',
    'complexity',
    PER_LONG_WORD_SHARE * (share - PLAIN_WORDS) * m,
    0.9,
    `${Math.round(100 * share)}% long words`,
  )
}

/** Adds the complexity evidence of a request and returns the raw score (before the effort override). */
export function addComplexityEvidence(
  ev: Evidence,
  texts: WeightedFeatures[],
  request: ExtractedRequest,
  inputTokens: number,
  task: Task,
): void {
  ev.add('task_base', 'complexity', TASK_BASE[task], 10, task)
  if (inputTokens > 0) {
    ev.add('length', 'complexity', 0.55 * Math.log2(1 + inputTokens / 120), 3, `~${inputTokens} tokens`)
  }
  for (const {features, complexityWeight} of texts)
    if (complexityWeight > 0) textComplexity(ev, features, complexityWeight, task)

  let userTurns = 0
  for (const segment of request.segments) if (segment.role === 'user') userTurns++
  if (userTurns > 1) ev.add('conversation', 'complexity', 0.12 * (userTurns - 1), 0.8, `${userTurns} user turns`)
  if (request.tools > 0) ev.add('tools', 'complexity', request.tools > 8 ? 0.9 : 0.6, 0.9, `${request.tools} tools`)
  if (request.images > 1)
    ev.add('many_images', 'complexity', 0.2 * (request.images - 1), 0.8, `${request.images} images`)
  if (request.outputTokens !== null && request.outputTokens >= 4000) {
    ev.add(
      'long_output',
      'complexity',
      request.outputTokens >= 16_000 ? 0.8 : 0.4,
      0.8,
      `${request.outputTokens} max tokens`,
    )
  }
}

/** Efforts a client may ask for, mapped to the tier range they allow. */
const EFFORT_BOUNDS: Record<string, {min: Complexity; max: Complexity}> = {
  none: {min: 'low', max: 'low'},
  minimal: {min: 'low', max: 'low'},
  low: {min: 'low', max: 'medium'},
  medium: {min: 'low', max: 'xhigh'},
  high: {min: 'high', max: 'xhigh'},
  xhigh: {min: 'xhigh', max: 'xhigh'},
  max: {min: 'xhigh', max: 'xhigh'},
}

const TIER_FLOOR: Record<Complexity, number> = {
  low: 0,
  medium: TIER_THRESHOLDS.medium,
  high: TIER_THRESHOLDS.high,
  xhigh: TIER_THRESHOLDS.xhigh,
}
const TIER_CEILING: Record<Complexity, number> = {
  low: TIER_THRESHOLDS.medium - 0.01,
  medium: TIER_THRESHOLDS.high - 0.01,
  high: TIER_THRESHOLDS.xhigh - 0.01,
  xhigh: Number.POSITIVE_INFINITY,
}

/**
 * The user's `reasoning_effort` dominates: `minimal` (or `none`) → low, `low` → at most medium, `high` → at least
 * high, `xhigh` → xhigh. The score moves into the allowed range, and the move is recorded as a signal.
 */
export function applyEffort(ev: Evidence, score: number, effort: string | null): number {
  if (effort === null) return score
  const bounds = EFFORT_BOUNDS[effort]
  if (!bounds) return score
  const target = Math.min(Math.max(score, TIER_FLOOR[bounds.min]), TIER_CEILING[bounds.max])
  const delta = target - score
  ev.add('reasoning_effort', 'complexity', delta === 0 ? 0 : delta, Number.POSITIVE_INFINITY, `effort "${effort}"`)
  return target
}
