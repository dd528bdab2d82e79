/**
 * The profile compiler: a short profile document in, a raw runtime config out, with an explanation of every step.
 *
 * 1. `profile`       start from the routes of the built-in profile `profile.default`
 * 2. `per_task`      replace a task's routes with another built-in profile's (`profile.per_task`)
 * 3. `resolve`       check the accounts and resolve every model they name against the catalog
 * 4. `metadata`      attach catalog metadata to every model the config mentions
 * 5. `guardrails`    prune models above a cost, latency or failure-rate limit (global, or per task)
 * 6. `accounts`      keep only models that an enabled account serves; refill emptied routes from served models
 *                    (never with a model a guardrail removed); pick fallbacks and the default model
 * 7. `base_url`      fill each account's `base_url` from the catalog unless given
 * 8. `raw_overrides` deep-merge `raw_overrides` last, validate against the raw schema and normalise
 *
 * Inline secrets never appear in the steps or the problems.
 */
import {getBuiltinProfile, getProvider, modelsOfProvider} from '../catalog/index.js'
import {modelProvider} from '../catalog/model-key.js'
import {describeUnknownProfile, describeUnresolved, resolveModelRef} from '../catalog/resolve.js'
import type {BuiltinProfile} from '../catalog/schema.js'
import {ConfigError, type Problem} from '../errors.js'
import {isObject} from '../is-object.js'
import {effectiveModel} from './models.js'
import {catalogMetadata, checkAccounts, normalizeConfig} from './normalize.js'
import {
  RawConfigSchema,
  TASKS,
  type Account,
  type EndpointModels,
  type GuardrailThresholds,
  type ModelMetadata,
  type ProfileAccount,
  type ProfileDocument,
  type RuntimeConfig,
  type Task,
  type TierKey,
} from './schema.js'
import {byLocation, formatPath, type DocPath} from './yaml.js'
import {issuesToProblems, type Locator} from './zod-issues.js'

/** One step of the compilation, for `profile compile --explain`. */
export interface CompileStep {
  step: 'profile' | 'per_task' | 'resolve' | 'metadata' | 'guardrails' | 'accounts' | 'base_url' | 'raw_overrides'
  summary: string
  details: string[]
}

export interface CompileOptions {
  /** File name shown in problems. */
  file: string
  /** Locates a path of the profile document (line and column); without it, problems carry the path only. */
  locate?: Locator
  /** Environment for the `api_key_env` check; skipped when absent. */
  env?: NodeJS.ProcessEnv
}

export interface CompileResult {
  config: RuntimeConfig
  steps: CompileStep[]
  /** Severity `warning` only; errors throw a `ConfigError`. */
  warnings: Problem[]
}

type Routes = Partial<Record<Task, Partial<Record<TierKey, string[]>>>>

const TIERS: TierKey[] = ['low', 'medium', 'high', 'xhigh', 'default']
/** The quality a refilled tier aims at when none of the profile's own models is served. */
const TIER_TARGET_QUALITY: Record<TierKey, number> = {low: 0.6, medium: 0.75, high: 0.85, xhigh: 0.93, default: 0.75}
/** How many served models a refilled tier or fallback list gets. */
const REFILL_SIZE = 3

const GUARDRAIL_FIELDS = [
  ['max_cost_input_per_1k', 'cost_input_per_1k', 'input cost', (v: number) => `$${v}/1k`],
  ['max_cost_output_per_1k', 'cost_output_per_1k', 'output cost', (v: number) => `$${v}/1k`],
  ['max_latency_ms', 'latency_ms', 'latency', (v: number) => `${v} ms`],
  ['max_failure_rate', 'failure_rate', 'failure rate', (v: number) => `${v}`],
] as const

/** Compile a validated profile document. Throws a `ConfigError` listing every problem found. */
export function compileProfile(doc: ProfileDocument, options: CompileOptions): CompileResult {
  const locate: Locator = options.locate ?? ((path) => ({file: options.file, path: formatPath(path)}))
  const problems: Problem[] = []
  const steps: CompileStep[] = []
  const error = (path: DocPath, message: string, hint?: string) =>
    problems.push({...locate(path), message, ...(hint ? {hint} : {}), severity: 'error'})
  const warn = (path: DocPath, message: string, hint?: string) =>
    problems.push({...locate(path), message, ...(hint ? {hint} : {}), severity: 'warning'})
  const fail = () => {
    const errors = problems.filter((p) => p.severity === 'error')
    if (errors.length > 0) throw invalidProfile(options.file, errors)
  }

  // 1. profile
  const base = builtin(doc.profile.default, ['profile', 'default'], error)
  fail()
  const routes: Routes = copyRoutes(base!.task_routes)
  const routeOrigin = new Map<Task, string>(TASKS.map((task) => [task, base!.name]))
  steps.push({
    step: 'profile',
    summary: `start from built-in profile \`${base!.name}\``,
    details: [
      base!.description,
      `default model ${base!.default_model}; ${base!.fallback_models.length} fallback models`,
    ],
  })

  // 2. per_task
  const perTaskDetails: string[] = []
  for (const [task, name] of Object.entries(doc.profile.per_task) as Array<[Task, string]>) {
    const profile = builtin(name, ['profile', 'per_task', task], error)
    if (!profile) continue
    routes[task] = copyRoutes(profile.task_routes)[task]
    routeOrigin.set(task, profile.name)
    perTaskDetails.push(`${task}: routes from \`${profile.name}\``)
  }
  fail()
  steps.push({
    step: 'per_task',
    summary:
      perTaskDetails.length === 0 ? 'no per-task profiles' : `${perTaskDetails.length} task(s) use another profile`,
    details: perTaskDetails,
  })

  // 3. resolve: accounts and the models they name
  const resolveDetails: string[] = []
  const declared = new Map<string, ModelMetadata>()
  checkAccounts(doc.accounts, error)
  const accountModels: string[][] = doc.accounts.map((account, index) => {
    if (!getProvider(account.provider)) return []
    return account.models.flatMap((ref, j) => {
      const path: DocPath = ['accounts', index, 'models', j]
      const key = resolveAccountModel(account, ref, path, {error, declared, details: resolveDetails})
      return key ? [key] : []
    })
  })
  fail()
  const refCount = accountModels.reduce((sum, list) => sum + list.length, 0)
  steps.push({
    step: 'resolve',
    summary: `${doc.accounts.length} account(s); ${refCount} model reference(s) resolved`,
    details: resolveDetails,
  })

  // 4. metadata
  const mentioned = new Set<string>([
    base!.default_model,
    ...base!.fallback_models,
    ...accountModels.flat(),
    ...routeKeys(routes),
  ])
  const models: Record<string, ModelMetadata> = {}
  const metadataDetails: string[] = []
  for (const key of mentioned) {
    const known = catalogMetadata(key)
    models[key] = known ?? declared.get(key) ?? {id: key.slice(key.indexOf('/') + 1)}
    if (!known)
      metadataDetails.push(
        `${key}: not in the catalog; documented defaults apply (declare it under raw_overrides.models to refine)`,
      )
  }
  steps.push({
    step: 'metadata',
    summary: `attached catalog metadata to the ${mentioned.size - metadataDetails.length} model(s) the profile names`,
    details: metadataDetails,
  })

  // 5. guardrails
  const removals = new Map<string, Map<string, string[]>>()
  const noteRemoval = (key: string, reason: string, where: string) => {
    const byReason = removals.get(key) ?? new Map<string, string[]>()
    byReason.set(reason, [...(byReason.get(reason) ?? []), where])
    removals.set(key, byReason)
  }
  const prunedFor = new Map<Task | 'global', Map<string, string>>()
  const thresholdsFor = (task: Task | 'global'): GuardrailThresholds => {
    const {per_task: perTask, ...global} = doc.guardrails
    return task === 'global' ? global : {...global, ...withoutUndefined(perTask[task] ?? {})}
  }
  const check = (task: Task | 'global', key: string): string | undefined => {
    let pruned = prunedFor.get(task)
    if (!pruned) prunedFor.set(task, (pruned = new Map()))
    if (pruned.has(key)) return pruned.get(key)
    const reason = guardrailReason(models[key] ?? {}, thresholdsFor(task))
    if (reason) pruned.set(key, reason)
    return reason
  }
  for (const task of TASKS) {
    const route = routes[task]
    if (!route) continue
    const removed = new Set<string>()
    for (const tier of TIERS) {
      if (!route[tier]) continue
      route[tier] = route[tier]!.filter((key) => {
        const reason = check(task, key)
        if (reason) removed.add(key)
        return !reason
      })
    }
    for (const key of removed) noteRemoval(key, prunedFor.get(task)!.get(key)!, task)
  }
  const fallbackCandidates = base!.fallback_models.filter((key) => {
    const reason = check('global', key)
    if (reason) noteRemoval(key, reason, 'fallbacks')
    return !reason
  })
  const guardrailDetails = [...removals].flatMap(([key, byReason]) =>
    [...byReason].map(([reason, where]) => `${key}: ${reason}; removed from ${where.join(', ')}`),
  )
  const hasGuardrails = TASKS.some((task) => Object.keys(withoutUndefined(thresholdsFor(task))).length > 0)
  steps.push({
    step: 'guardrails',
    summary: !hasGuardrails
      ? 'no guardrails set'
      : guardrailDetails.length === 0
        ? 'every routed model is within the guardrails'
        : `${removals.size} model(s) removed for breaking a guardrail`,
    details: guardrailDetails,
  })

  // 6. accounts: align routes with what the enabled accounts serve
  const accountDetails: string[] = []
  const served = new Map<string, string[]>()
  doc.accounts.forEach((account, index) => {
    if (!account.enabled) {
      accountDetails.push(`${account.name} (${account.provider}): disabled, serves nothing`)
      return
    }
    const keys =
      accountModels[index].length > 0
        ? accountModels[index]
        : modelsOfProvider(account.provider).map((model) => model.key)
    if (keys.length === 0) {
      warn(
        ['accounts', index, 'models'],
        `account \`${account.name}\` (${account.provider}) lists no models, and the catalog has none for its provider`,
        'list the models the server offers under `models:`',
      )
    }
    for (const key of keys) served.set(key, [...(served.get(key) ?? []), account.name])
    accountDetails.push(
      `${account.name} (${account.provider}): serves ${accountModels[index].length > 0 ? keys.join(', ') : `all ${keys.length} catalog models of ${account.provider}`}`,
    )
  })
  if (served.size === 0) {
    error(
      ['accounts'],
      doc.accounts.length === 0
        ? 'the profile has no accounts, so no model can be served'
        : 'no enabled account serves any model',
      'add an account: run `router provider login`, or add one under `accounts:` (e.g. `- {name: local, provider: ollama}`)',
    )
    fail()
  }
  for (const key of served.keys()) {
    if (!models[key]) models[key] = catalogMetadata(key) ?? declared.get(key) ?? {}
  }
  const chatServed = [...served.keys()].filter((key) => isChatModel(models[key]))
  const unfillable = new Map<Task, TierKey[]>()
  for (const task of TASKS) {
    const route = routes[task]
    if (!route) continue
    const summary: string[] = []
    for (const tier of TIERS) {
      const list = route[tier]
      if (!list) continue
      let kept = list.filter((key) => served.has(key))
      if (kept.length === 0) {
        kept = refill(chatServed, models, task, tier, (key) => check(task, key) !== undefined)
        if (kept.length === 0 && task === 'image' && chatServed.some((key) => check(task, key) === undefined)) {
          // Text models are served, none reads images: image requests go to the general routes instead.
          warn(
            ['accounts'],
            'no served model reads images (vision), so the `image` routes are left out and image requests use the `general` routes',
            'add an account that serves a vision model (e.g. gemini/gemini-2.5-flash-lite), or declare `capabilities: [vision]` for yours under raw_overrides.models',
          )
          delete routes.image
          break
        }
        if (kept.length === 0) {
          unfillable.set(task, [...(unfillable.get(task) ?? []), tier])
          continue
        }
        accountDetails.push(`${task}.${tier}: none of the profile's models is served; filled with ${kept.join(', ')}`)
      }
      route[tier] = kept
      summary.push(`${tier} → ${kept[0]}${kept.length > 1 ? ` (+${kept.length - 1})` : ''}`)
    }
    if (routes[task]) accountDetails.push(`${task}: ${summary.join(', ')}`)
    else accountDetails.push(`${task}: left out (no served model fits)`)
  }
  const routedTasks = TASKS.filter((task) => routes[task])
  if (unfillable.size > 0 && unfillable.size === routedTasks.length) {
    error(
      ['guardrails'],
      `the guardrails exclude every model your accounts serve (${chatServed.length} model(s)), for every task`,
      'loosen `guardrails`, or add an account whose models fit them',
    )
  } else {
    for (const [task, tiers] of unfillable) {
      error(
        doc.guardrails.per_task[task] ? ['guardrails', 'per_task', task] : ['guardrails'],
        `no served model fits task \`${task}\` (${tiers.join(', ')}): the guardrails exclude all ${chatServed.length} served model(s)`,
        `loosen ${doc.guardrails.per_task[task] ? `\`guardrails.per_task.${task}\`` : '`guardrails`'}, or add an account whose models fit`,
      )
    }
  }
  fail()
  let fallbackModels = fallbackCandidates.filter((key) => served.has(key))
  if (fallbackModels.length === 0) {
    fallbackModels = refill(
      chatServed,
      models,
      'general',
      'default',
      (key) => check('global', key) !== undefined,
      'reliability',
    )
    accountDetails.push(
      `fallbacks: none of the profile's fallbacks is served; using ${fallbackModels.join(', ') || 'none'}`,
    )
  } else accountDetails.push(`fallbacks: ${fallbackModels.join(', ')}`)
  const endpointModels: EndpointModels = {}
  for (const [capability, keys] of Object.entries(base!.endpoint_models) as Array<
    [keyof EndpointModels, string[] | undefined]
  >) {
    const kept = (keys ?? []).filter((key) => served.has(key) && check('global', key) === undefined)
    if (kept.length > 0) endpointModels[capability] = kept
    accountDetails.push(`${capability}: ${kept.length > 0 ? kept.join(', ') : 'no served model'}`)
  }
  let defaultModel = base!.default_model
  if (!served.has(defaultModel) || check('global', defaultModel)) {
    const general = routes.general ?? {}
    defaultModel = general.medium?.[0] ?? general.default?.[0] ?? fallbackModels[0] ?? chatServed[0]
    accountDetails.push(`default model: ${base!.default_model} is not served; using ${defaultModel}`)
  } else accountDetails.push(`default model: ${defaultModel}`)
  steps.push({
    step: 'accounts',
    summary: `${served.size} model(s) served by ${doc.accounts.filter((a) => a.enabled).length} enabled account(s)`,
    details: accountDetails,
  })

  // 7. base_url
  const baseUrlDetails: string[] = []
  const accounts = doc.accounts.map((account, index): Account => {
    const provider = getProvider(account.provider)!
    const baseUrl = account.base_url ?? provider.base_url
    baseUrlDetails.push(
      `${account.name} (${account.provider}): ${baseUrl}${account.base_url ? '' : ' (from the catalog)'}`,
    )
    return {...withoutUndefined(account), base_url: baseUrl, models: accountModels[index]} as Account
  })
  steps.push({step: 'base_url', summary: `${accounts.length} account(s) with base URLs`, details: baseUrlDetails})

  // Models that the compiled config mentions, in a stable order: routes first, then the rest.
  const used = new Set<string>([
    defaultModel,
    ...routeKeys(routes),
    ...fallbackModels,
    ...Object.values(endpointModels).flat(),
    ...accountModels.flat(),
  ])
  const compiled: Record<string, unknown> = {
    default_model: defaultModel,
    models: Object.fromEntries([...used].map((key) => [key, models[key] ?? {}])),
    accounts,
    task_routes: routes,
    fallback_models: fallbackModels,
    endpoint_models: endpointModels,
    model_aliases: base!.model_aliases,
    // The default profile's session policy, then what the document sets.
    session: Object.assign({}, base!.session, doc.session),
  }

  // 8. raw_overrides
  const overrideLocate: Locator = (path, opts) => {
    // Anything under a key that the overrides set is theirs (a missing key points at its nearest written parent).
    if (path.length > 0 && exists(doc.raw_overrides, path.slice(0, 1))) {
      return {...locate(['raw_overrides', ...path], opts), path: formatPath(['raw_overrides', ...path])}
    }
    // Accounts come from the profile itself unless the overrides replaced them: point at the profile's entry.
    if (path[0] === 'accounts' && exists(doc.accounts, path.slice(1, 2))) return locate(path, opts)
    return {file: '<raw_overrides>', path: formatPath(path)}
  }
  const merged = deepMerge(compiled, doc.raw_overrides) as Record<string, unknown>
  const parsed = RawConfigSchema.safeParse(merged)
  if (!parsed.success) {
    throw invalidProfile(
      options.file,
      issuesToProblems(parsed.error.issues, RawConfigSchema, merged, overrideLocate),
      'raw_overrides',
    )
  }
  const normalised = normalizeConfig(parsed.data, {
    mode: 'profile',
    locate: overrideLocate,
    rawModels: merged.models,
    env: options.env,
  })
  problems.push(...normalised.problems)
  fail()
  const leaves = leafPaths(doc.raw_overrides)
  steps.push({
    step: 'raw_overrides',
    summary: leaves.length === 0 ? 'no raw overrides' : `${leaves.length} value(s) overridden`,
    details: leaves.map((path) => `${formatPath(path)} set from raw_overrides`),
  })

  return {config: normalised.config, steps, warnings: byLocation(problems.filter((p) => p.severity === 'warning'))}
}

function builtin(
  name: string,
  path: DocPath,
  error: (path: DocPath, message: string, hint?: string) => void,
): BuiltinProfile | undefined {
  const profile = getBuiltinProfile(name)
  if (profile) return profile
  const {message, hint} = describeUnknownProfile(name)
  error(path, message, `${hint} (\`router profile list\`)`)
  return undefined
}

/** Resolve one entry of a profile account's `models`. Ollama and generic servers may name models the catalog lacks. */
function resolveAccountModel(
  account: ProfileAccount,
  ref: string,
  path: DocPath,
  out: {
    error: (path: DocPath, message: string, hint?: string) => void
    declared: Map<string, ModelMetadata>
    details: string[]
  },
): string | undefined {
  const custom = account.provider === 'ollama' || account.provider === 'openai-compatible'
  const resolution = resolveModelRef(ref, {provider: account.provider})
  if (resolution.ok) {
    const owner = resolution.model.provider
    if (owner !== account.provider && account.provider !== 'openai-compatible') {
      out.error(
        path,
        `account \`${account.name}\` (${account.provider}) cannot serve \`${resolution.key}\`, a model of provider \`${owner}\``,
        `list ${account.provider} models here, or add an account for \`${owner}\``,
      )
      return undefined
    }
    if (resolution.key !== ref) out.details.push(`${formatPath(path)}: \`${ref}\` → ${resolution.key}`)
    return resolution.key
  }
  if (custom && resolution.reason === 'unknown') {
    const key = modelProvider(ref) === account.provider ? ref : `${account.provider}/${ref}`
    out.declared.set(key, {id: key.slice(account.provider.length + 1)})
    out.details.push(`${formatPath(path)}: \`${ref}\` → ${key} (not in the catalog; served by \`${account.name}\`)`)
    return key
  }
  const {message, hint} = describeUnresolved(ref, resolution)
  out.error(path, message, hint)
  return undefined
}

/** Why `metadata` breaks `thresholds`, or undefined. A value the metadata does not know never breaks a guardrail. */
function guardrailReason(metadata: ModelMetadata, thresholds: GuardrailThresholds): string | undefined {
  const reasons: string[] = []
  for (const [limitKey, field, label, show] of GUARDRAIL_FIELDS) {
    const limit = thresholds[limitKey]
    const value = metadata[field]
    if (limit === undefined || value === undefined) continue
    if (value > limit) reasons.push(`${label} ${show(value)} > ${limitKey} ${show(limit)}`)
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined
}

/** The best served models for a tier whose own models are all unavailable, closest to the tier's quality first. */
function refill(
  candidates: string[],
  models: Record<string, ModelMetadata>,
  task: Task,
  tier: TierKey,
  pruned: (key: string) => boolean,
  order: 'quality' | 'reliability' = 'quality',
): string[] {
  const target = TIER_TARGET_QUALITY[tier]
  const scored = candidates
    .filter((key) => !pruned(key))
    .map((key) => ({key, model: effectiveModel({models}, key)}))
    .filter(({model}) => task !== 'image' || model.capabilities.includes('vision'))
    .map(({key, model}) => {
      const affinity = model.task_affinity.includes(task) ? 0.05 : 0
      const score =
        order === 'reliability'
          ? model.failure_rate - model.quality * 0.1
          : Math.abs(model.quality - target) - affinity + model.cost_output_per_1k
      return {key, score}
    })
    .sort((a, b) => a.score - b.score || a.key.localeCompare(b.key))
  return scored.slice(0, REFILL_SIZE).map(({key}) => key)
}

function isChatModel(metadata: ModelMetadata | undefined): boolean {
  const capabilities = metadata?.capabilities
  if (!capabilities) return true
  return !capabilities.includes('embeddings') && !capabilities.includes('image_generation')
}

function copyRoutes(routes: BuiltinProfile['task_routes']): Routes {
  const out: Routes = {}
  for (const task of TASKS) {
    const route = routes[task]
    if (!route) continue
    out[task] = Object.fromEntries(Object.entries(route).map(([tier, list]) => [tier, [...(list ?? [])]]))
  }
  return out
}

function routeKeys(routes: Routes): string[] {
  return TASKS.flatMap((task) => TIERS.flatMap((tier) => routes[task]?.[tier] ?? []))
}

/**
 * `raw_overrides` semantics: mappings merge key by key, lists and scalars replace, and `null` removes a key.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override
  const out: Record<string, unknown> = {...base}
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key]
    else out[key] = deepMerge(base[key], value)
  }
  return out
}

function exists(value: unknown, path: DocPath): boolean {
  let current = value
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return false
    if (!(String(segment) in (current as object))) return false
    current = (current as Record<string, unknown>)[String(segment)]
  }
  return true
}

function leafPaths(value: unknown, prefix: DocPath = []): DocPath[] {
  if (!isObject(value) || Object.keys(value).length === 0) return prefix.length === 0 ? [] : [prefix]
  return Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, [...prefix, key]))
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function invalidProfile(file: string, problems: Problem[], where?: 'raw_overrides'): ConfigError {
  const count = problems.length
  const headline =
    where === 'raw_overrides'
      ? `${file}: the config after raw_overrides is invalid (${count} problem${count === 1 ? '' : 's'})`
      : `${file} is not a valid routing profile (${count} problem${count === 1 ? '' : 's'})`
  return new ConfigError(headline, byLocation(problems), {code: 'config_invalid'})
}
