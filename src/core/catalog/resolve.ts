/**
 * Turns what a user writes for a model into a canonical catalog key (`provider/id`).
 *
 * Accepted, in this order:
 * 1. a canonical key: `openai/gpt-5.2`, `nvidia/meta/llama-3.3-70b-instruct`;
 * 2. a provider-qualified id or alias: `anthropic/sonnet`, `anthropic/claude-sonnet-4-5`;
 * 3. a bare id or alias that exactly one provider offers: `sonnet`, `gemini-2.5-flash`, `meta/llama-3.3-70b-instruct`;
 * 4. a bare last path segment that exactly one provider offers: `llama-4-scout-17b-16e-instruct`.
 *
 * A name that several providers offer (`gpt-5.2`: OpenAI and the ChatGPT backend) is ambiguous unless the caller
 * names a preferred provider (the account it appears under). Unknown and ambiguous names come back with suggestions.
 */
import {defaultModelId} from './model-key.js'
import {didYouMean, suggest} from '../suggest.js'
import {getCatalog} from './index.js'
import type {CatalogModel} from './schema.js'

/** How a reference was resolved, for `--explain`. */
export type ResolvedVia = 'key' | 'provider-alias' | 'alias' | 'id' | 'segment'

export type ModelResolution =
  | {ok: true; key: string; model: CatalogModel; via: ResolvedVia}
  | {ok: false; reason: 'unknown'; suggestions: string[]}
  | {ok: false; reason: 'ambiguous'; candidates: string[]}

/** Resolve `ref` against the catalog. `provider` breaks ties in favour of that provider's model. */
export function resolveModelRef(ref: string, options: {provider?: string} = {}): ModelResolution {
  const catalog = getCatalog()
  const exact = catalog.modelByKey.get(ref)
  if (exact) return {ok: true, key: exact.key, model: exact, via: 'key'}

  const slash = ref.indexOf('/')
  const prefix = slash === -1 ? undefined : ref.slice(0, slash)
  if (prefix !== undefined && catalog.providerByName.has(prefix)) {
    const rest = ref.slice(slash + 1)
    const own = catalog.models.filter((model) => model.provider === prefix)
    const match = own.find((model) => spellingsOf(model).includes(rest))
    if (match) return {ok: true, key: match.key, model: match, via: 'provider-alias'}
    const bySegment = own.filter((model) => lastSegment(defaultModelId(model.key)) === rest)
    if (bySegment.length === 1) return {ok: true, key: bySegment[0].key, model: bySegment[0], via: 'segment'}
    // `openai/gpt-4.1` for GitHub's `openai/gpt-4.1` is handled below: only fail here if nothing matches globally.
  }

  const passes: Array<[ResolvedVia, (model: CatalogModel) => boolean]> = [
    ['id', (model) => defaultModelId(model.key) === ref || model.id === ref],
    ['alias', (model) => model.aliases.includes(ref)],
    ['segment', (model) => lastSegment(defaultModelId(model.key)) === ref],
  ]
  for (const [via, test] of passes) {
    const matches = catalog.models.filter(test)
    if (matches.length === 0) continue
    const preferred = options.provider ? matches.filter((model) => model.provider === options.provider) : []
    if (preferred.length === 1) return {ok: true, key: preferred[0].key, model: preferred[0], via}
    if (matches.length === 1) return {ok: true, key: matches[0].key, model: matches[0], via}
    return {ok: false, reason: 'ambiguous', candidates: matches.map((model) => model.key)}
  }

  return {ok: false, reason: 'unknown', suggestions: suggestModels(ref, prefix)}
}

/** Up to three catalog keys close to `ref` (all spellings count; canonical keys are suggested). */
export function suggestModels(ref: string, provider?: string): string[] {
  const spellings = new Map<string, string>()
  for (const model of getCatalog().models) {
    if (provider && getCatalog().providerByName.has(provider) && model.provider !== provider) continue
    spellings.set(model.key, model.key)
    for (const spelling of spellingsOf(model)) {
      if (!spellings.has(spelling)) spellings.set(spelling, model.key)
      spellings.set(`${model.provider}/${spelling}`, model.key)
    }
  }
  return suggest(ref, spellings)
}

/** The user-facing message and hint for a reference that did not resolve. */
export function describeUnresolved(
  ref: string,
  resolution: Extract<ModelResolution, {ok: false}>,
): {message: string; hint: string} {
  if (resolution.reason === 'ambiguous') {
    const list = resolution.candidates.map((key) => `\`${key}\``).join(', ')
    return {
      message: `model \`${ref}\` is ambiguous: ${list} all match`,
      hint: `write the full \`provider/id\` key, e.g. \`${resolution.candidates[0]}\``,
    }
  }
  const guess = didYouMean(resolution.suggestions)
  return {
    message: `unknown model \`${ref}\`${guess ? `; ${guess}` : ''}`,
    hint: guess
      ? `use the catalog key \`${resolution.suggestions[0]}\`, or declare the model under \`models:\``
      : 'use a `provider/id` key from the catalog, or declare the model under `models:` with an account that serves it',
  }
}

/** The message and hint for a built-in profile name that does not exist. */
export function describeUnknownProfile(name: string): {message: string; hint: string} {
  const names = getCatalog().profiles.map((profile) => profile.name)
  const guess = didYouMean(suggest(name, names))
  return {message: `unknown profile \`${name}\`${guess ? `; ${guess}` : ''}`, hint: `use one of: ${names.join(', ')}`}
}

function spellingsOf(model: CatalogModel): string[] {
  return [...new Set([defaultModelId(model.key), model.id, ...model.aliases])]
}

function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1)
}
