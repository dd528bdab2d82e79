/**
 * The models an account serves, as `provider login --models` takes them: bare ids (`gemini-2.5-pro`), aliases or
 * full keys, comma-separated or repeated, each resolved against the catalog to a provider-qualified key
 * (`gemini/gemini-2.5-pro`) of the account's own provider.
 */
import {describeUnresolved, resolveModelRef, suggestModels} from '../catalog/resolve.js'
import {modelsOfProvider} from '../catalog/index.js'
import {ConfigError, type Problem} from '../errors.js'
import {didYouMean} from '../suggest.js'

/** Splits `a,b` `c` into `[a, b, c]`, trimmed, without empties or duplicates. */
export function splitModelList(values: readonly string[]): string[] {
  return [
    ...new Set(
      values
        .flatMap((value) => value.split(','))
        .map((value) => value.trim())
        .filter(Boolean),
    ),
  ]
}

/**
 * Canonical keys for `refs` on an account of `provider`. Throws a `ConfigError` (one problem per bad name, with
 * suggestions) when a name is unknown, ambiguous, or a model of another provider. `source` names the input in
 * problems (default `--models`).
 */
export function qualifyAccountModels(provider: string, refs: readonly string[], source = '--models'): string[] {
  const keys: string[] = []
  const problems: Problem[] = []
  for (const ref of splitModelList(refs)) {
    // The account's provider first: `gpt-5.2` on a ChatGPT account means `openai-codex/gpt-5.2`.
    const qualified = ref.startsWith(`${provider}/`) ? ref : `${provider}/${ref}`
    let resolution = resolveModelRef(qualified, {provider})
    if (!resolution.ok) resolution = resolveModelRef(ref, {provider})
    if (resolution.ok && resolution.model.provider === provider) {
      keys.push(resolution.key)
      continue
    }
    if (resolution.ok) {
      problems.push({
        path: source,
        message: `\`${ref}\` is a model of \`${resolution.model.provider}\`, not \`${provider}\``,
        hint: `add it to an account of provider ${resolution.model.provider}, or pick one of ${provider}'s models`,
      })
      continue
    }
    if (resolution.reason === 'ambiguous') {
      const owners = [...new Set(resolution.candidates.map((key) => key.slice(0, key.indexOf('/'))))]
      problems.push(
        owners.includes(provider)
          ? {path: source, ...describeUnresolved(ref, resolution)}
          : {
              path: source,
              message: `\`${ref}\` is a model of ${owners.map((owner) => `\`${owner}\``).join(' and ')}, not \`${provider}\``,
              hint: `add it to an account of one of those providers, or pick one of ${provider}'s models`,
            },
      )
      continue
    }
    const own = modelsOfProvider(provider)
    const guess = didYouMean(suggestModels(ref, provider))
    problems.push({
      path: source,
      message: `unknown model \`${ref}\` for provider \`${provider}\`${guess ? `; ${guess}` : ''}`,
      hint:
        own.length > 0
          ? `${provider} models in the catalog: ${own.map((model) => model.key).join(', ')}; leave --models out to serve them all`
          : `the catalog has no ${provider} models; leave --models out so the account serves any model`,
    })
  }
  if (problems.length > 0) {
    const count = problems.length
    throw new ConfigError(
      `${count === 1 ? 'a model name' : `${count} model names`} in ${source} did not resolve`,
      problems,
      {
        code: 'unknown_model',
      },
    )
  }
  return [...new Set(keys)]
}
