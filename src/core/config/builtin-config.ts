/**
 * A built-in profile as a runtime config with no accounts filter: every route keeps all the catalog models the
 * profile lists, every catalog model is declared with its metadata (as a compiled profile declares every model its
 * accounts serve, so that explicit names and embeddings or image models resolve), and there are no accounts. It is what `route explain` uses when no
 * config file exists (with the account check skipped), and what benchmarks route against. A gateway cannot serve it:
 * real configs come from `profile compile`, which keeps only the models that the accounts serve.
 */
import {getBuiltinProfile, getCatalog} from '../catalog/index.js'
import {ConfigError} from '../errors.js'
import {catalogMetadata} from './normalize.js'
import {RawConfigSchema, type ModelMetadata, type RuntimeConfig} from './schema.js'

/** The built-in profile `name` as an account-less runtime config. Throws a `ConfigError` for an unknown name. */
export function builtinProfileConfig(name: string): RuntimeConfig {
  const profile = getBuiltinProfile(name)
  if (!profile) {
    const names = getCatalog().profiles.map((p) => p.name)
    throw new ConfigError(`unknown built-in profile \`${name}\``, [], {
      code: 'unknown_profile',
      hint: `use one of: ${names.join(', ')}`,
    })
  }
  const models: Record<string, ModelMetadata> = {}
  for (const {key} of getCatalog().models) models[key] = catalogMetadata(key) ?? {}
  return RawConfigSchema.parse({
    default_model: profile.default_model,
    models,
    accounts: [],
    task_routes: profile.task_routes,
    fallback_models: profile.fallback_models,
    endpoint_models: profile.endpoint_models,
    model_aliases: profile.model_aliases,
  })
}
