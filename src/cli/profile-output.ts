/** Text and JSON shapes printed by the `profile` commands. */
import type {BuiltinProfile} from '../core/catalog/schema.js'
import type {LoadedConfig} from '../core/config/load.js'
import type {CompileStep} from '../core/config/compile.js'
import {TASKS, type TierKey} from '../core/config/schema.js'
import type {Problem} from '../core/errors.js'
import {formatProblem} from './present-error.js'

const TIERS: TierKey[] = ['low', 'medium', 'high', 'xhigh', 'default']

/** Counts that describe a loaded config (the `summary` of `profile validate --json`). */
export interface ConfigSummary {
  accounts: number
  enabled_accounts: number
  models: number
  tasks: string[]
  fallback_models: number
  default_model: string
}

/** Summary counts of a loaded config. */
export function summarize(loaded: LoadedConfig): ConfigSummary {
  const {config} = loaded
  return {
    accounts: config.accounts.length,
    enabled_accounts: config.accounts.filter((account) => account.enabled).length,
    models: Object.keys(config.models).length,
    tasks: TASKS.filter((task) => config.task_routes[task] !== undefined),
    fallback_models: config.fallback_models.length,
    default_model: config.default_model,
  }
}

/** `OK router.profile.yaml: profile \`auto\`; 2 accounts (2 enabled), …` */
export function validateLine(file: string, loaded: LoadedConfig): string {
  const s = summarize(loaded)
  const kind = loaded.kind === 'profile' ? `profile (built-in \`${loaded.profile}\`)` : 'raw runtime config'
  return [
    `OK ${file}: ${kind}`,
    `   ${s.accounts} account${s.accounts === 1 ? '' : 's'} (${s.enabled_accounts} enabled), ${s.models} model${s.models === 1 ? '' : 's'}, ` +
      `routes for ${s.tasks.length} task${s.tasks.length === 1 ? '' : 's'}, ${s.fallback_models} fallback${s.fallback_models === 1 ? '' : 's'}, ` +
      `default model ${s.default_model}`,
  ].join('\n')
}

/** Warnings as printed on stderr, headed by their count. */
export function warningsText(warnings: Problem[]): string {
  if (warnings.length === 0) return ''
  const lines = [`${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`]
  for (const warning of warnings) lines.push(indent(formatProblem(warning)))
  return lines.join('\n')
}

/** The `--explain` text: one numbered block per compile step. */
export function explainText(loaded: LoadedConfig): string {
  if (loaded.kind === 'raw') {
    return `${loaded.path} is a raw runtime config: nothing to compile (references were resolved and catalog metadata attached).`
  }
  return loaded.steps.map((step, index) => stepText(step, index + 1)).join('\n')
}

function stepText(step: CompileStep, number: number): string {
  const lines = [`${number}. ${step.step}: ${step.summary}`]
  for (const detail of step.details) lines.push(`   - ${detail}`)
  return lines.join('\n')
}

/** `profile list` rows. */
export function profileListText(profiles: BuiltinProfile[], defaultName: string): string {
  const width = Math.max(...profiles.map((profile) => profile.name.length)) + 2
  return profiles
    .map(
      (profile) => `${(profile.name + (profile.name === defaultName ? '*' : '')).padEnd(width)}${profile.description}`,
    )
    .concat(['', `* the default when a profile does not name one. Details: router profile show NAME`])
    .join('\n')
}

/** `profile show NAME`: description, default, fallbacks and the route table. */
export function profileShowText(profile: BuiltinProfile): string {
  const lines = [
    `${profile.name}: ${profile.description}`,
    '',
    `default model: ${profile.default_model}`,
    `fallbacks:     ${profile.fallback_models.join(', ')}`,
    `embeddings:    ${(profile.endpoint_models.embeddings ?? []).join(', ') || 'none'}`,
    `images:        ${(profile.endpoint_models.image_generation ?? []).join(', ') || 'none'}`,
    `model names:   ${
      Object.entries(profile.model_aliases)
        .map(([pattern, target]) => `${pattern} → ${target}`)
        .join(', ') || 'none'
    }`,
    '',
  ]
  for (const task of TASKS) {
    const route = profile.task_routes[task]
    if (!route) continue
    lines.push(`${task}:`)
    for (const tier of TIERS) {
      const list = route[tier]
      if (list) lines.push(`  ${tier.padEnd(8)}${list.join(', ')}`)
    }
  }
  lines.push(
    '',
    'Routes keep only the models your accounts serve; `router profile compile --explain` shows the result.',
  )
  return lines.join('\n')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}
