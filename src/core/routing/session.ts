/**
 * Sessions: which conversation a request belongs to, and what session affinity makes of its turn.
 *
 * A conversation is recognised from what clients already send, most specific first: an `x-session-id` header (any
 * client may set it); Claude Code's `x-claude-code-session-id` header, or the `session_id` inside the JSON of its
 * `metadata.user_id`; Codex CLI's `session-id` (or `session_id`, `conversation_id`) header; OpenAI's
 * `prompt_cache_key`; OpenAI's `user`; else a hash of the conversation's stable prefix (system prompt or
 * instructions, tools, first user turn), which every turn of one conversation resends unchanged. Ids are scoped by the
 * ingress principal, so two tenants never share one.
 *
 * Affinity (docs/routing.md, "Sessions"): while the provider's prompt cache is warm, a session stays on the model and
 * account that answered its last turn; a turn that needs more moves it up, and it stays up; it never moves down while
 * warm unless the config allows a downgrade, and then only when moving is cheaper by the stated margin with the
 * cache's discount lost. A tool result or a "continue" is judged as the session, never on its own.
 */
import {COMPLEXITIES, type Complexity} from '../config/schema.js'
import {textHash, textSketch} from '../text-hash.js'
import {roundUsd} from './model-info.js'
import type {Candidate, Endpoint, SessionSource, SessionState} from './schema.js'

/** A recognised conversation. */
export interface SessionKey {
  /** Opaque and scoped by principal: `<source>:<hash>`. */
  id: string
  source: SessionSource
  /**
   * The request opens the conversation (no assistant turn or tool result in it yet): whatever a session of the same
   * id did before is another conversation, so affinity starts afresh.
   */
  opening: boolean
}

type Headers = Readonly<Record<string, string | string[] | undefined>>

/** Header names that carry a conversation id, with the source they count as, in order. */
const SESSION_HEADERS: ReadonlyArray<[string, SessionSource]> = [
  ['x-session-id', 'header'],
  ['x-claude-code-session-id', 'claude_code'],
  ['session-id', 'codex'],
  ['session_id', 'codex'],
  ['conversation_id', 'codex'],
]

/** The conversation `body` belongs to, or null when the request is not a conversation (embeddings, images, …). */
export function sessionKeyOf(
  endpoint: Endpoint,
  body: Record<string, unknown>,
  headers: Headers,
  principal: string | undefined,
): SessionKey | null {
  if (!CONVERSATION_ENDPOINTS.has(endpoint)) return null
  const scope = principal ?? ''
  const opening = !hasHistory(endpoint, body)
  for (const [name, source] of SESSION_HEADERS) {
    const value = headerValue(headers[name])
    if (value !== undefined) return key(source, scope, value, opening)
  }
  const fromMetadata = claudeCodeSession(body.metadata)
  if (fromMetadata !== undefined) return key('claude_code', scope, fromMetadata, opening)
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '')
    return key('prompt_cache_key', scope, body.prompt_cache_key, opening)
  if (typeof body.user === 'string' && body.user !== '') return key('user', scope, body.user, opening)
  const prefix = stablePrefix(endpoint, body)
  return prefix === null ? null : key('prefix', scope, prefix, opening)
}

/** Whether the request carries earlier turns: an assistant turn, a tool call or its result. */
function hasHistory(endpoint: Endpoint, body: Record<string, unknown>): boolean {
  const turns = body[TURNS[endpoint] ?? '']
  if (!Array.isArray(turns)) return false
  return turns.some((turn) => {
    const role = field(turn, 'role')
    const type = field(turn, 'type')
    return role === 'assistant' || role === 'tool' || (typeof type === 'string' && type !== 'message')
  })
}

const CONVERSATION_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['chat.completions', 'responses', 'messages'])

function key(source: SessionSource, scope: string, value: string, opening: boolean): SessionKey {
  return {id: `${source}:${textHash(`${scope}\u0000${source}\u0000${textSketch(value)}`)}`, source, opening}
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value
  return text === undefined || text.trim() === '' ? undefined : text.trim()
}

/**
 * Claude Code's `metadata.user_id`: a JSON text with a `session_id` (2.x), or the older
 * `user_<hash>_account_<uuid>_session_<uuid>` form.
 */
function claudeCodeSession(metadata: unknown): string | undefined {
  const userId = field(metadata, 'user_id')
  if (typeof userId !== 'string') return undefined
  if (userId.startsWith('{')) {
    try {
      const id = (JSON.parse(userId) as {session_id?: unknown}).session_id
      return typeof id === 'string' && id !== '' ? id : undefined
    } catch {
      return undefined
    }
  }
  const match = /_session_([0-9a-f-]{8,})$/i.exec(userId)
  return match?.[1]
}

/** The field that holds a request's turns, per conversation endpoint. */
const TURNS: Partial<Record<Endpoint, string>> = {
  'chat.completions': 'messages',
  messages: 'messages',
  responses: 'input',
}

/**
 * What every turn of one conversation resends unchanged: the system prompt or instructions, the tools' names, and the
 * first user turn's text. Null when there is no user turn. Reads text only, never walks a client's nested values.
 */
function stablePrefix(endpoint: Endpoint, body: Record<string, unknown>): string | null {
  const turns = body[TURNS[endpoint] ?? '']
  if (!Array.isArray(turns) || turns.length === 0) return null
  const firstUser = turns.find((turn) => field(turn, 'role') === 'user')
  if (firstUser === undefined) return null
  const systemTurn = turns.find((turn) => field(turn, 'role') === 'system' || field(turn, 'role') === 'developer')
  const system = textOf(body.system ?? body.instructions ?? field(systemTurn, 'content'))
  const tools = Array.isArray(body.tools)
    ? body.tools.map((tool) =>
        String(field(field(tool, 'function'), 'name') ?? field(tool, 'name') ?? field(tool, 'type') ?? ''),
      )
    : []
  return `${textSketch(system)}\u0000${tools.join(',')}\u0000${textSketch(textOf(field(firstUser, 'content')))}`
}

/** `value[name]` when `value` is an object, else undefined. */
function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined
}

/** The text of a content value: a string, or the `text` of each block of a list. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const block of content) {
    const value = field(block, 'text')
    if (typeof value === 'string') text += value
  }
  return text
}

const CONTINUE = /^\s*(?:continue|go on|keep going|proceed|carry on|next|yes|ok(?:ay)?|do it|go ahead)\b[\s.!]*$/i

/**
 * Whether a turn carries nothing to judge on its own: a tool result (chat `role: tool`, a Messages `tool_result`
 * block, a Responses `function_call_output`), or a short "continue". Such a turn is judged as its session.
 */
export function isFollowUp(endpoint: Endpoint, body: Record<string, unknown>): boolean {
  const turns = body[TURNS[endpoint] ?? '']
  if (!Array.isArray(turns) || turns.length === 0) return false
  const last: unknown = turns[turns.length - 1]
  const role = field(last, 'role')
  const type = field(last, 'type')
  if (role === 'tool' || type === 'function_call_output' || type === 'custom_tool_call_output') return true
  if (role !== 'user') return false
  const content = field(last, 'content')
  if (Array.isArray(content) && content.some((block) => field(block, 'type') === 'tool_result')) return true
  return CONTINUE.test(textOf(content))
}

export function complexityRank(complexity: Complexity): number {
  return COMPLEXITIES.indexOf(complexity)
}

/** What affinity decided for a turn, after selection. */
export interface AffinityVerdict {
  affinity: 'stay' | 'move_up' | 'downgrade' | 'cold' | 'unavailable'
  /** The model to put first in the chain (the session's), when it stays. */
  pin: string | null
  warmUntil: number | null
  stayCostUsd: number | null
  switchCostUsd: number | null
  /**
   * With a downgrade allowed and a cheaper model picked: the turns the comparison looked ahead, and what staying and
   * moving cost over them (null otherwise).
   */
  outlook: {turns: number; stayUsd: number; moveUsd: number} | null
}

/** Prices per 1 000 tokens of one model, for the stay-or-move comparison (null: unknown). */
export interface CachePrices {
  input: number
  cachedInput: number
}

/**
 * Affinity for a turn of a known session, given the candidates selection ranked and the model it would pick. `own`
 * prices the session model's input and cache reads, `picked` the picked model's (null: unknown, no discount counted).
 *
 * A downgrade (when allowed) is weighed over the turns the session is expected still to run, not this turn alone: moving
 * pays the uncached prefix once, then the cheaper model's own cache holds it. A session that has run `turns` turns is
 * expected to run about as many more (half-way is the best guess of where one stands in a run of unknown length), at
 * least one; both sides are priced at this turn's size. It moves when moving costs at most (1 − margin) × staying over
 * that outlook.
 */
export function affinityFor(input: {
  state: SessionState
  turnComplexity: Complexity
  candidates: readonly Candidate[]
  selected: string
  inputTokens: number
  now: number
  cacheTtlMs: number
  own: CachePrices | null
  picked: CachePrices | null
  allowDowngrade: boolean
  downgradeMargin: number
}): AffinityVerdict {
  const {state} = input
  const warmUntil = state.answered_at + input.cacheTtlMs
  if (warmUntil <= input.now)
    return {affinity: 'cold', pin: null, warmUntil, stayCostUsd: null, switchCostUsd: null, outlook: null}
  if (complexityRank(input.turnComplexity) > complexityRank(state.complexity)) {
    return {affinity: 'move_up', pin: null, warmUntil, stayCostUsd: null, switchCostUsd: null, outlook: null}
  }
  const own = input.candidates.find((candidate) => candidate.model === state.model)
  if (own === undefined || own.excluded)
    return {affinity: 'unavailable', pin: null, warmUntil, stayCostUsd: null, switchCostUsd: null, outlook: null}
  const other = input.candidates.find((candidate) => candidate.model === input.selected)
  // The prefix this turn resends is about what the last turn sent: the warm cache holds it.
  const resent = Math.min(state.prompt_tokens ?? 0, input.inputTokens)
  const discount = (prices: CachePrices | null) =>
    prices === null ? 0 : (resent * (prices.input - prices.cachedInput)) / 1000
  const stayCostUsd = own.est_cost_usd === null ? null : roundUsd(Math.max(0, own.est_cost_usd - discount(input.own)))
  const switchCostUsd = input.selected === state.model ? stayCostUsd : (other?.est_cost_usd ?? null)
  if (input.allowDowngrade && input.selected !== state.model && stayCostUsd !== null && switchCostUsd !== null) {
    const turns = Math.max(1, state.turns)
    // After the move, the picked model reads the prefix from its own cache.
    const movedWarm = Math.max(0, switchCostUsd - discount(input.picked))
    const outlook = {
      turns,
      stayUsd: roundUsd(turns * stayCostUsd),
      moveUsd: roundUsd(switchCostUsd + (turns - 1) * movedWarm),
    }
    const affinity = outlook.moveUsd <= (1 - input.downgradeMargin) * outlook.stayUsd ? 'downgrade' : 'stay'
    return {affinity, pin: affinity === 'stay' ? state.model : null, warmUntil, stayCostUsd, switchCostUsd, outlook}
  }
  return {affinity: 'stay', pin: state.model, warmUntil, stayCostUsd, switchCostUsd, outlook: null}
}
