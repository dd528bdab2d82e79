/**
 * Loading a configuration document: find it, parse it with source positions, tell a profile from a raw runtime
 * config, validate, compile (profiles) or normalise (raw), and report every problem with file, line and column.
 * The gateway, `route explain`, `provider login` and hot reload all go through `loadConfig`.
 */
import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'

import {ConfigError, type Problem} from '../errors.js'
import {compileProfile, type CompileStep} from './compile.js'
import {checkAccounts, normalizeConfig} from './normalize.js'
import {ProfileDocumentSchema, RawConfigSchema, type RuntimeConfig, type StateSettings} from './schema.js'
import {byLocation, locationOf, parseYamlSource} from './yaml.js'
import {issuesToProblems, type Locator} from './zod-issues.js'

export type {CompileStep} from './compile.js'
export {DEFAULT_MODEL_METADATA, effectiveModel, type EffectiveModel} from './models.js'

/** A loaded, validated and normalised configuration. */
export interface LoadedConfig {
  /** Absolute path of the file. */
  path: string
  /** A document with a top-level `profile:` key (or another profile-only key) is a profile. */
  kind: 'profile' | 'raw'
  /** Validated and normalised runtime config (canonical model keys, metadata attached). */
  config: RuntimeConfig
  /** Built-in profile the routes came from (`profile.default`); null for raw documents. */
  profile: string | null
  /** Problems of severity `warning`. */
  warnings: Problem[]
  /** Compile explanation; empty for raw documents. */
  steps: CompileStep[]
  /** The profile's `state:` (where replicas share state), when it has one. */
  state?: StateSettings
}

/** Default file name, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'router.profile.yaml'
/** Environment variable naming the config file. */
export const CONFIG_PATH_ENV = 'ROUTING_CONFIG_PATH'

/** Keys that only a profile document has: any of them at the top level makes the document a profile. */
const PROFILE_KEYS = ['profile', 'schema_version', 'guardrails', 'raw_overrides', 'state']

/** Read and load `path`. Throws a `ConfigError` (exit code 2) for a missing, unreadable or invalid file. */
export async function loadConfig(path: string, options: {env?: NodeJS.ProcessEnv} = {}): Promise<LoadedConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw readError(path, error)
  }
  return parseConfig(text, path, options)
}

/** Load a document from its text; `file` names it in problems. */
export function parseConfig(text: string, file: string, options: {env?: NodeJS.ProcessEnv} = {}): LoadedConfig {
  const source = parseYamlSource(text, file)
  const locate: Locator = (path, opts) => locationOf(source, path, opts)
  const absolute = resolve(file)

  if (isProfile(source.value)) {
    const parsed = ProfileDocumentSchema.safeParse(source.value)
    if (!parsed.success) {
      const problems = issuesToProblems(parsed.error.issues, ProfileDocumentSchema, source.value, locate)
      throw invalid(file, 'routing profile', [...problems, ...accountProblems(source.value, locate, problems)])
    }
    const result = compileProfile(parsed.data, {file, locate, env: options.env})
    return {
      path: absolute,
      kind: 'profile',
      config: result.config,
      profile: parsed.data.profile.default,
      warnings: result.warnings,
      steps: result.steps,
      ...(parsed.data.state ? {state: parsed.data.state} : {}),
    }
  }

  const parsed = RawConfigSchema.safeParse(source.value)
  if (!parsed.success) {
    const problems = issuesToProblems(parsed.error.issues, RawConfigSchema, source.value, locate)
    throw invalid(file, 'router config', [...problems, ...accountProblems(source.value, locate, problems)])
  }
  const result = normalizeConfig(parsed.data, {mode: 'raw', locate, rawModels: source.value.models, env: options.env})
  const errors = result.problems.filter((problem) => problem.severity === 'error')
  if (errors.length > 0) throw invalid(file, 'router config', errors)
  return {
    path: absolute,
    kind: 'raw',
    config: result.config,
    profile: null,
    warnings: byLocation(result.problems.filter((problem) => problem.severity === 'warning')),
    steps: [],
  }
}

/**
 * The account checks that do not need a valid document (unknown providers, names used twice), run when the schema
 * refused it anyway: a profile with a misspelt key and two misspelt providers reports all three at once.
 */
function accountProblems(value: Record<string, unknown>, locate: Locator, already: readonly Problem[]): Problem[] {
  const accounts = Array.isArray(value.accounts)
    ? value.accounts.map((account: unknown) => {
        const {name, provider} = (account ?? {}) as {name?: unknown; provider?: unknown}
        return typeof name === 'string' && typeof provider === 'string' ? {name, provider} : undefined
      })
    : []
  const problems: Problem[] = []
  checkAccounts(accounts, (path, message, hint) =>
    problems.push({...locate(path), message, ...(hint ? {hint} : {}), severity: 'error'}),
  )
  // The schema may have said something about the same place already.
  return problems.filter(
    (problem) => !already.some((other) => other.line === problem.line && other.column === problem.column),
  )
}

function isProfile(value: Record<string, unknown>): boolean {
  if (PROFILE_KEYS.some((key) => key in value)) return true
  // Nothing but accounts: a profile with every default (`profile: {default: auto}`).
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === 'accounts'
}

function invalid(file: string, what: string, problems: Problem[]): ConfigError {
  const count = problems.length
  return new ConfigError(
    `${file} is not a valid ${what} (${count} problem${count === 1 ? '' : 's'})`,
    byLocation(problems),
  )
}

function readError(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') {
    return new ConfigError(`config file not found: ${path}`, [], {
      code: 'config_not_found',
      hint: `create one with \`router profile init\`, pass --config FILE, or set ${CONFIG_PATH_ENV}`,
    })
  }
  if (code === 'EISDIR') {
    return new ConfigError(`${path} is a directory, not a config file`, [], {
      code: 'config_not_found',
      hint: `pass the YAML file itself, e.g. --config ${path.replace(/\/+$/, '')}/${DEFAULT_CONFIG_FILE}`,
    })
  }
  return new ConfigError(`cannot read ${path}: ${(error as Error).message}`, [], {
    code: 'config_unreadable',
    hint: 'check the file permissions',
    cause: error,
  })
}
