/**
 * The routing engine's entry point: one request body in, one `RoutingDecision` out. The gateway calls this on every
 * request and `route explain` prints its result; both get exactly the same object.
 *
 * - `model` missing, empty, `auto` or `openrouter/auto` (and no `models` list): auto. The chain is the route for the
 *   classified task × complexity (with the fallbacks of `routeFor`), then the config's `fallback_models`, then
 *   `default_model`, deduplicated. For the embeddings and image endpoints, the chain is the models of that list with
 *   the capability, then the other configured models that have it (task routes list chat models).
 * - Otherwise the client named the chain: `model`, then OpenRouter-style `models` (or `models` alone when `model` is
 *   auto). Each name is resolved against the config (`resolveModelName`); the chain is exactly those models, in that
 *   order, and nothing else. The classifier still runs (for the diagnostics) and every hard constraint still applies.
 *   A `model` that names no configured model goes through the config's `model_aliases`, which map it to a model or to
 *   auto (`resolveRequestedModel`).
 * - `router: {task?, complexity?}` forces the classification; each forced value is reported as a signal.
 * - Tools that only some providers run (`providerToolTypes`) exclude the candidates whose provider cannot run them.
 */
import {routeFor} from '../config/routes.js'
import type {Capability, EndpointModels, RuntimeConfig} from '../config/schema.js'
import {RoutingError} from '../errors.js'
import {isoTimestamp} from '../iso-time.js'
import {tierKey} from '../policy/feedback.js'
import type {TierEscalation} from '../policy/schema.js'
import {classifyRequest} from './classifier.js'
import {modelInfo} from './model-info.js'
import {AUTO_MODEL_NAMES, readRoutingFields, requestedModelName} from './request-options.js'
import {providerToolTypes} from './provider-tools.js'
import {configuredModelKeys, resolveModelName, resolveRequestedModel} from './resolve-model.js'
import type {
  Classification,
  Endpoint,
  RoutingDecision,
  RoutingRequestFields,
  SessionDecision,
  SessionState,
  Signal,
} from './schema.js'
import {affinityFor, type CachePrices, complexityRank, isFollowUp, type SessionKey} from './session.js'
import {type ChainEntry, type LiveStatsSource, selectCandidates, usd} from './select.js'

/** Options of `decideRoute`. */
export interface DecideOptions {
  /** Name of the profile the config was compiled from (`auto`, `cost`, … or `custom`), reported in the decision. */
  profile?: string | null
  /** Live latency and failure figures; without them the catalog priors rank the candidates. */
  stats?: LiveStatsSource
  /** The classifier (defaults to `classifyRequest`). */
  classify?: (body: unknown, endpoint: Endpoint) => Classification
  /** Skip the `no_account` constraint: for dry runs against a profile compiled without accounts. */
  ignoreAccounts?: boolean
  /** Tiers raised by quality feedback, keyed `task/complexity` (the runtime policy's; see `core/policy/feedback.ts`). */
  escalations?: Readonly<Record<string, TierEscalation>>
  /** The conversation the request belongs to, and what is remembered of it (null: its first turn seen). */
  session?: {
    key: SessionKey
    state: SessionState | null
    /** `Date.now()` of the decision. */
    now: number
    /** How long a provider's prompt cache stays warm after its last use. */
    cacheTtlMs: (provider: string) => number
  }
}

/** Capability that an auto chain for these endpoints must have, and which configured models are added for it. */
const ENDPOINT_CAPABILITY: Partial<Record<Endpoint, keyof EndpointModels & Capability>> = {
  embeddings: 'embeddings',
  'images.generations': 'image_generation',
}

/**
 * What a decision reads from a request body: the router-only fields, the model asked for, the classifier's verdict and
 * the request's shape. No prompt text: `route replay` rebuilds these from the audit log.
 */
export interface RequestFacts {
  endpoint: Endpoint
  fields: RoutingRequestFields
  /** The `model` the client sent, as it sent it (`auto` included); null when it sent none. */
  requestedModel: string | null
  /** The model name to resolve: null for auto (missing, empty, `auto`). */
  requestedName: string | null
  classification: Classification
  /** A tool result or a "continue" (read only for a request of a session). */
  followUp: boolean
  /** The request sets reasoning parameters (`reasoning_effort`, `reasoning`). */
  reasoning: boolean
  /** Its tools that only some providers run (`providerToolTypes`). */
  providerTools: readonly string[]
}

/** Decides where one request goes, with the reasons. Throws a `RoutingError` when it cannot be routed. */
export function decideRoute(
  request: {body: unknown; endpoint: Endpoint},
  config: RuntimeConfig,
  options: DecideOptions = {},
): RoutingDecision {
  const started = performance.now()
  return decideOnFacts(readRequest(request, options), config, options, started)
}

/** The facts of one request body (see `RequestFacts`); throws a `RoutingError` for malformed router fields or model. */
function readRequest(
  request: {body: unknown; endpoint: Endpoint},
  options: Pick<DecideOptions, 'classify' | 'session'> = {},
): RequestFacts {
  const {body, endpoint} = request
  const fields = readRoutingFields(body)
  const requestedName = requestedModelName(body)
  const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {}
  return {
    endpoint,
    fields,
    requestedModel: typeof record.model === 'string' ? record.model : null,
    requestedName,
    classification: (options.classify ?? classifyRequest)(body, endpoint),
    followUp: options.session !== undefined && isFollowUp(endpoint, record),
    reasoning: record.reasoning_effort != null || record.reasoning != null,
    providerTools: providerToolTypes(body, endpoint),
  }
}

/**
 * Decides on a request's facts (`decideRoute` reads them from its body; `route replay` from an audit log). `started`
 * is when the decision began, for `decision_ms`.
 */
export function decideOnFacts(
  facts: RequestFacts,
  config: RuntimeConfig,
  options: DecideOptions = {},
  started = performance.now(),
): RoutingDecision {
  const {endpoint, fields, classification} = facts
  const requested = facts.requestedName === null ? null : resolveRequestedModel(config, facts.requestedName)

  let {task, complexity, signals} = classification
  const forced = fields.router
  if (forced?.task !== undefined || forced?.complexity !== undefined) {
    const overrides: Signal[] = []
    if (forced.task !== undefined) {
      overrides.push({
        name: 'router_task',
        target: forced.task,
        weight: 1,
        detail: `forced by router.task (classified ${task})`,
      })
      task = forced.task
    }
    if (forced.complexity !== undefined) {
      overrides.push({
        name: 'router_complexity',
        target: 'complexity',
        weight: 1,
        detail: `forced ${forced.complexity} by router.complexity (classified ${complexity})`,
      })
      complexity = forced.complexity
    }
    signals = [...overrides, ...signals]
  }
  const escalation = forced?.complexity === undefined ? options.escalations?.[tierKey(task, complexity)] : undefined
  if (escalation !== undefined) {
    signals = [
      {
        name: 'feedback_escalation',
        target: 'complexity',
        weight: 1,
        detail: `raised ${escalation.from} → ${escalation.to} by quality feedback: ${escalation.bad} of ${escalation.answered} answers of ${escalation.model} judged bad (until ${escalation.until})`,
      },
      ...signals,
    ]
    complexity = escalation.to
  }

  const keys = explicitKeys(config, requested?.key ?? null, fields.models)
  const explicit = keys.length > 0

  // Sessions: a follow-up turn (a tool result, a "continue") is part of the session's work: it takes the session's
  // task and complexity, up or down. Any other turn of a warm session has the session's complexity as its floor (it
  // may move the session up, never down), unless the config allows a downgrade, which judges the turn on its own and
  // lets cost decide below.
  const session = options.session
  const previous = session !== undefined && config.session.affinity && !explicit ? session.state : null
  const turnTask = task
  const turnComplexity = complexity
  const followUp = session !== undefined && facts.followUp
  const warm = previous !== null && previous.answered_at + session!.cacheTtlMs(previous.provider) > session!.now
  if (previous !== null && forced === undefined) {
    if (followUp && task !== previous.task) {
      signals = [
        {
          name: 'session_task',
          target: previous.task,
          weight: 1,
          detail: `a follow-up turn of a ${previous.task} session (classified ${task})`,
        },
        ...signals,
      ]
      task = previous.task
    }
    const floor =
      warm && !config.session.allow_downgrade && complexityRank(previous.complexity) > complexityRank(complexity)
    if ((followUp && previous.complexity !== complexity) || floor) {
      signals = [
        {
          name: 'session_complexity',
          target: 'complexity',
          weight: 1,
          detail: `the session is ${previous.complexity} (this turn alone: ${complexity})`,
        },
        ...signals,
      ]
      complexity = previous.complexity
    }
  }
  let chain: ChainEntry[]
  let route: RoutingDecision['route']
  if (explicit) {
    chain = keys.map((model) => ({model, source: 'request'}))
    route = {task, tier: complexity, models: keys}
  } else {
    const resolved = routeFor(config, task, complexity)
    route = {task: resolved.task, tier: resolved.tier, models: [...resolved.models]}
    chain = autoChain(config, route.models, endpoint)
    // A warm session's model is a candidate for a turn that needs no more than the session, even when this tier does
    // not list it (a session that moved up for a hard turn, a turn of another task): staying is priced against moving.
    if (
      warm &&
      complexityRank(complexity) <= complexityRank(previous!.complexity) &&
      config.models[previous!.model] !== undefined
    ) {
      if (!chain.some((entry) => entry.model === previous!.model))
        chain.push({model: previous!.model, source: 'fallback'})
    }
  }

  const providerTools = facts.providerTools
  const selection = selectCandidates({
    config,
    chain,
    endpoint,
    task,
    complexity,
    requirements: classification.requirements,
    reasoning: facts.reasoning,
    providerTools,
    preferences: fields.provider,
    allowedModels: fields.allowed_models,
    stats: options.stats,
    explicit,
    ignoreAccounts: options.ignoreAccounts,
  })

  let sessionDecision: SessionDecision | null = null
  if (session !== undefined) {
    // Written out field by field: a literal that goes on after a spread is slow in Node 20 (see eslint.config.js).
    const part = (
      affinity: SessionDecision['affinity'],
      warmUntil: string | null,
      stay: number | null,
      move: number | null,
    ): SessionDecision => ({
      id: session.key.id,
      source: session.key.source,
      previous_model: session.state?.model ?? null,
      previous_account: session.state?.account ?? null,
      turn_task: turnTask,
      turn_complexity: turnComplexity,
      follow_up: followUp,
      affinity,
      warm_until: warmUntil,
      stay_cost_usd: stay,
      switch_cost_usd: move,
    })
    if (previous === null) {
      sessionDecision = part(!config.session.affinity || explicit ? 'off' : 'new', null, null, null)
    } else {
      const prices = (model: string): CachePrices | null => {
        const info = modelInfo(config, model)
        return info.known.price ? {input: info.cost_input_per_1k, cachedInput: info.cost_cached_input_per_1k} : null
      }
      const verdict = affinityFor({
        state: previous,
        // A follow-up's own reading does not move the session: it has the session's complexity.
        turnComplexity: followUp ? complexity : turnComplexity,
        candidates: selection.candidates,
        selected: selection.selected,
        inputTokens: classification.requirements.input_tokens,
        now: session.now,
        cacheTtlMs: session.cacheTtlMs(previous.provider),
        own: prices(previous.model),
        picked: prices(selection.selected),
        allowDowngrade: config.session.allow_downgrade,
        downgradeMargin: config.session.downgrade_margin,
      })
      if (verdict.pin !== null && verdict.pin !== selection.selected) {
        selection.fallbacks = [selection.selected, ...selection.fallbacks.filter((model) => model !== verdict.pin)]
        selection.selected = verdict.pin
        selection.candidates
          .find((candidate) => candidate.model === verdict.pin)
          ?.reasons.unshift('kept by session affinity: its cache is warm')
      }
      if (verdict.outlook !== null) {
        const {turns, stayUsd, moveUsd} = verdict.outlook
        const over = `over the next ${turns} turn${turns === 1 ? '' : 's'}: moving $${usd(moveUsd)}, staying on ${previous.model} $${usd(stayUsd)}`
        const reason =
          verdict.affinity === 'downgrade'
            ? `moved down from the session's model ${over}`
            : `not moved down (needs ${Math.round(config.session.downgrade_margin * 100)} % less) ${over}`
        selection.candidates
          .find((candidate) => candidate.model === (verdict.pin ?? selection.selected))
          ?.reasons.unshift(reason)
      }
      sessionDecision = part(
        verdict.affinity,
        verdict.warmUntil === null ? null : isoTimestamp(verdict.warmUntil),
        verdict.stayCostUsd,
        verdict.switchCostUsd,
      )
    }
  }

  return {
    source: explicit ? 'request' : 'auto',
    requested_model: facts.requestedModel,
    model_alias: requested?.alias ?? null,
    endpoint,
    task,
    complexity,
    complexity_score: classification.complexity_score,
    confidence: classification.confidence,
    selected_model: selection.selected,
    fallback_models: selection.fallbacks,
    candidates: selection.candidates,
    signals,
    requirements: classification.requirements,
    provider_tools: [...providerTools],
    profile: options.profile ?? null,
    route,
    session: sessionDecision,
    decision_ms: performance.now() - started,
  }
}

/** The client's chain: the resolved `model` (unless auto) then `models`, without repeats; empty for auto. */
function explicitKeys(config: RuntimeConfig, model: string | null, models: readonly string[] | undefined): string[] {
  const keys = model === null ? [] : [model]
  for (const name of models ?? []) {
    if (AUTO_MODEL_NAMES.has(name.trim().toLowerCase())) {
      throw new RoutingError(
        'invalid_request',
        '`models` lists model names to try in order; it cannot contain "auto".',
        {
          param: 'models',
          hint: 'Drop `models` to let the router choose, or list configured models only.',
        },
      )
    }
    const key = resolveModelName(config, name, 'models')
    if (!keys.includes(key)) keys.push(key)
  }
  return keys
}

/**
 * The auto chain: the route's models, the fallbacks and the default model. For the embeddings and image endpoints,
 * the config's `endpoint_models` for that capability come first and every other configured model with it last, and
 * only the models that have the capability stay, with those whose capabilities nobody gave (they may have it) after
 * them; when there are none, the whole chain stays, so that the error says why each model fails.
 */
function autoChain(config: RuntimeConfig, routeModels: readonly string[], endpoint: Endpoint): ChainEntry[] {
  const chain: ChainEntry[] = []
  const seen = new Set<string>()
  const push = (model: string, source: ChainEntry['source']) => {
    if (seen.has(model)) return
    seen.add(model)
    chain.push({model, source})
  }
  const capability = ENDPOINT_CAPABILITY[endpoint]
  if (capability) for (const model of config.endpoint_models[capability] ?? []) push(model, 'route')
  for (const model of routeModels) push(model, 'route')
  for (const model of config.fallback_models) push(model, 'fallback')
  push(config.default_model, 'default')
  if (!capability) return chain
  const has = (model: string): boolean | null => {
    const info = modelInfo(config, model)
    return info.known.capabilities ? info.capability_set.has(capability) : null
  }
  for (const model of configuredModelKeys(config)) if (has(model) === true) push(model, 'fallback')
  for (const model of configuredModelKeys(config)) if (has(model) === null) push(model, 'fallback')
  const capable = chain.filter((entry) => has(entry.model) === true)
  const maybe = chain.filter((entry) => has(entry.model) === null)
  return capable.length + maybe.length > 0 ? [...capable, ...maybe] : chain
}
