/**
 * The request classifier: decides the task and complexity of an OpenAI-shaped request from its whole body, with the
 * evidence behind the decision. Deterministic (no clock, no randomness) and fast: texts are tokenised once and
 * matched against a precompiled phrase trie; very long texts are read at their head and tail (lengths are still
 * counted exactly); what was read from system prompts and earlier turns is kept for the requests that send them again
 * (`classifier/feature-cache.ts`), which changes the cost of a decision, never the decision. See `classifier/task.ts`
 * for the task evidence and `classifier/complexity.ts` for the tiers.
 */
import type {Task} from '../config/schema.js'
import {addComplexityEvidence, applyEffort, tierOf, type WeightedFeatures} from './classifier/complexity.js'
import {Evidence} from './classifier/evidence.js'
import {extractRequest, type ExtractedRequest, type Segment} from './classifier/extract.js'
import {FeatureCache, type FeatureCacheLimits, type FeatureCacheStats} from './classifier/feature-cache.js'
import {RULE_WORDS} from './classifier/lexicon.js'
import {scanText, type ScanWindow, type TextFeatures} from './classifier/scan.js'
import {releaseTokens, wordIds} from './classifier/tokenizer.js'
import {addTaskEvidence, GENERAL_PRIOR} from './classifier/task.js'
import type {Classification, Endpoint, Requirements} from './schema.js'

/** Window read in the last user turn: 8 000 characters from the start, 4 000 from the end. */
const LAST_USER_WINDOW: ScanWindow = {head: 8000, tail: 4000}
/** Window read in every other text. */
const OTHER_WINDOW: ScanWindow = {head: 3000, tail: 1000}
/** Most characters read across the whole request; older turns are skipped once it is spent. */
const TOTAL_SCAN_BUDGET = 24_000

/** Weight of a text by its place: the last user turn counts most, the system prompt too, older turns less. */
const WEIGHTS = {
  lastUser: 1,
  system: 0.6,
  /** The previous user turn; each older one counts `decay` times less, never below `floor`. */
  earlierUser: 0.5,
  assistant: 0.25,
  tool: 0.15,
  decay: 0.7,
  floor: 0.1,
} as const

/**
 * Earlier turns count in full when the last user turn leans on them ("now make it faster", "and what about
 * them?"), less when it stands alone, and hardly at all after an explicit change of subject.
 */
const CONTEXT = {followUp: 1, standalone: 0.6, switched: 0.1} as const
const FOLLOW_UP = wordIds(RULE_WORDS.followUp)
const TOPIC_SWITCH =
  /\b(?:unrelated|different question|new question|another question|change of (?:topic|subject)|changing (?:topic|subject)|switching gears|on another note|by the way|btw)\b/i

/** Token overhead of each message (role and separators) and of the reply priming. */
const TOKENS_PER_MESSAGE = 4
const TOKENS_PER_REQUEST = 3

/** Order in which tasks win ties: `general` first, as it is the safe default. */
const TASK_ORDER: readonly Task[] = ['general', 'coding', 'thinking', 'instruction_following', 'image']

/** How much earlier turns count, from the wording of the last user turn (see `CONTEXT`). */
function contextFactor(text: string, features: TextFeatures): number {
  if (TOPIC_SWITCH.test(text.length > 400 ? text.slice(0, 400) : text)) return CONTEXT.switched
  const limit = Math.min(features.ids.length, 60)
  for (let k = 0; k < limit; k++) if (FOLLOW_UP.has(features.ids[k])) return CONTEXT.followUp
  return CONTEXT.standalone
}

/** Weight of an earlier turn: `older` turns of the same kind lie between it and the last user turn. */
function earlierWeight(role: Segment['role'], older: number, context: number): number {
  if (role === 'system') return WEIGHTS.system
  if (role === 'user') return context * Math.max(WEIGHTS.floor, WEIGHTS.earlierUser * WEIGHTS.decay ** older)
  const base = role === 'tool' ? WEIGHTS.tool : WEIGHTS.assistant
  return context * Math.max(WEIGHTS.floor * base, base * WEIGHTS.decay ** older)
}

/** What was read from the system prompts and earlier turns of recent requests (see `FeatureCache`). */
const featureCache = new FeatureCache()

/** Forgets what the classifier read from earlier requests (a cold start, for benchmarks and tests). */
export function clearClassifierCache(): void {
  featureCache.clear()
}

/** Bounds the classifier's cache (process-wide); 0 for either turns it off. The default is `FEATURE_CACHE_LIMITS`. */
export function configureClassifierCache(limits: FeatureCacheLimits): void {
  featureCache.setLimits(limits)
}

/** What the classifier holds from earlier requests (texts, characters), and its hits and misses, process-wide. */
export function classifierCacheStats(): FeatureCacheStats {
  return featureCache.stats()
}

/**
 * Texts shorter than this are read each time rather than looked up. Reading any text has a fixed cost of about 1.5 µs
 * (its features, the line scan, the structural checks) and a look-up costs about 0.2 µs, so a text of a sentence or
 * more is worth keeping: for the bench's 1 KB chat, whose earlier turns are 85 to 220 characters, a decision takes
 * 14 µs with them kept against 19 µs without. A one-line text is not worth a place in the cache.
 */
const MIN_CACHED_CHARS = 64

/**
 * The features of a text. The last user turn is read, not looked up (it is usually new), but noted: if the
 * conversation goes on, the next request sends it again as an earlier turn, and it is kept then.
 */
function readText(text: string, window: ScanWindow, lastUser: boolean): TextFeatures {
  if (text.length < MIN_CACHED_CHARS) return scanText(text, window)
  if (!lastUser) return featureCache.features(text, window)
  featureCache.remember(text)
  return scanText(text, window)
}

/**
 * An agent's request (one that carries tools: Claude Code, Codex CLI, any tool loop) resends its standing
 * instructions and the whole conversation on every turn. Those are context, not the ask: the system prompt still says
 * what kind of work this is (it counts for the task), but neither its wording nor its length makes a turn harder,
 * and earlier turns count for length at their context weight, not in full. A plain chat is read as before.
 */
interface ScanOptions {
  agent: boolean
}

/** What `scanSegments` read: the texts with their weights, and the characters that count for the length signal. */
interface Scanned {
  texts: WeightedFeatures[]
  lengthChars: number
}

/**
 * Scans the texts within the budget, in priority order: the last user turn, the system prompts, then the other
 * turns from the newest. Each text gets its weight (see `WEIGHTS`), earlier turns scaled by `contextFactor`.
 */
function scanSegments(segments: Segment[], options: ScanOptions): Scanned {
  let lastUser = -1
  for (let i = segments.length - 1; i >= 0 && lastUser === -1; i--) if (segments[i].role === 'user') lastUser = i
  let budget = TOTAL_SCAN_BUDGET
  const texts: WeightedFeatures[] = []
  let lengthChars = 0
  const scan = (i: number, base: ScanWindow, weight: number, complexityWeight: number): TextFeatures | undefined => {
    const text = segments[i].text
    if (!text || budget <= 0) return undefined
    const head = Math.min(base.head, Math.max(0, budget - base.tail))
    const window = head > 0 ? {head, tail: base.tail} : {head: budget, tail: 0}
    const features = readText(text, window, i === lastUser)
    budget -= Math.min(text.length, window.head + window.tail)
    texts.push({features, weight, complexityWeight})
    return features
  }
  let context = 1
  if (lastUser !== -1) {
    lengthChars += segments[lastUser].text.length
    const features = scan(lastUser, LAST_USER_WINDOW, WEIGHTS.lastUser, WEIGHTS.lastUser)
    if (features) context = contextFactor(segments[lastUser].text, features)
  }
  const systemComplexity = options.agent ? 0 : WEIGHTS.system
  for (let i = 0; i < segments.length; i++) {
    if (segments[i].role !== 'system') continue
    if (!options.agent) lengthChars += segments[i].text.length
    scan(i, OTHER_WINDOW, WEIGHTS.system, systemComplexity)
  }
  let olderUsers = 0
  let olderOthers = 0
  for (let i = segments.length - 1; i >= 0; i--) {
    const {role, text} = segments[i]
    if (i === lastUser || role === 'system') continue
    const weight = earlierWeight(role, role === 'user' ? olderUsers++ : olderOthers++, context)
    lengthChars += options.agent ? text.length * weight : text.length
    // An agent's tool results and its own earlier replies are material (files, test output, plans), not asks: their
    // code, questions and vocabulary say what the work is about (the task), not how hard this turn is.
    scan(i, OTHER_WINDOW, weight, options.agent && role !== 'user' ? 0 : weight)
  }
  return {texts, lengthChars: Math.round(lengthChars)}
}

function estimateInputTokens(request: ExtractedRequest): number {
  let chars = 0
  for (const segment of request.segments) chars += segment.text.length
  if (chars === 0 && request.knownTokens === 0 && request.images === 0) return 0
  return (
    Math.ceil(chars / 4) +
    request.knownTokens +
    request.messages * TOKENS_PER_MESSAGE +
    TOKENS_PER_REQUEST +
    request.imageTokens +
    Math.ceil(request.toolChars / 4)
  )
}

/**
 * Tokens of the texts that count for the length signal of complexity (images and tools have signals of their own):
 * every text of a plain chat, the ask and its weighted context in an agent's request (see `ScanOptions`).
 */
function textTokens(request: ExtractedRequest, lengthChars: number): number {
  return Math.ceil(lengthChars / 4) + request.knownTokens
}

function requirementsOf(request: ExtractedRequest, endpoint: Endpoint, inputTokens: number): Requirements {
  return {
    vision: request.images > 0,
    tools: request.tools > 0,
    json_mode: request.jsonMode,
    streaming: request.streaming,
    embeddings: endpoint === 'embeddings',
    image_generation: endpoint === 'images.generations',
    input_tokens: inputTokens,
    output_tokens: request.outputTokens,
  }
}

/** Confidence from the margin between the two best task scores: 0 for a tie, near 1 for a clear win. */
function confidenceOf(margin: number): number {
  return Math.round((1 - Math.exp(-margin / 1.5)) * 100) / 100
}

/** Classifies one request body sent to `endpoint`: task, complexity, the evidence, and what it requires. */
export function classifyRequest(body: unknown, endpoint: Endpoint): Classification {
  // The texts of the previous request are no longer read: their token ids may be overwritten.
  releaseTokens()
  const request = extractRequest(body, endpoint)
  const inputTokens = estimateInputTokens(request)
  const requirements = requirementsOf(request, endpoint, inputTokens)
  const ev = new Evidence()

  const {texts, lengthChars} = scanSegments(request.segments, {agent: request.tools > 0})
  ev.add('general_prior', 'general', GENERAL_PRIOR, GENERAL_PRIOR, 'default')
  for (const {features, weight} of texts) addTaskEvidence(ev, features, weight)
  if (request.fillInMiddle) ev.add('fill_in_middle', 'coding', 3, 3, 'completions suffix')
  if (request.jsonMode) ev.add('response_format', 'instruction_following', 3, 3, 'JSON output required')

  const scores = ev.taskScores()
  let task: Task = 'general'
  for (const candidate of TASK_ORDER) if (scores[candidate] > scores[task]) task = candidate
  let runnerUp = Number.NEGATIVE_INFINITY
  for (const candidate of TASK_ORDER) if (candidate !== task) runnerUp = Math.max(runnerUp, scores[candidate])
  let confidence = confidenceOf(scores[task] - runnerUp)

  // Images need a vision model whatever the text asks; the text's own task stays visible as a signal.
  if (requirements.vision || requirements.image_generation) {
    const textTask = task
    ev.add(
      requirements.vision ? 'image_input' : 'image_generation',
      'image',
      100,
      100,
      requirements.vision ? `${request.images} images` : 'images endpoint',
    )
    ev.add('text_task', textTask, 0.01, 0.01, `text alone reads as ${textTask}`)
    task = 'image'
    confidence = 1
  } else if (requirements.embeddings) {
    task = 'general'
    confidence = 1
  }

  let score: number
  if (requirements.embeddings) {
    score = 0
  } else {
    addComplexityEvidence(ev, texts, request, textTokens(request, lengthChars), task)
    score = Math.max(0, ev.complexityScore())
    score = applyEffort(ev, score, request.reasoningEffort)
  }
  score = Math.round(score * 100) / 100

  return {
    task,
    complexity: tierOf(score),
    complexity_score: score,
    confidence,
    signals: ev.signals(),
    requirements,
  }
}
