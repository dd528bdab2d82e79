/**
 * The runtime overrides file (`ROUTER_RUNTIME_OVERRIDES_PATH`, default `logs/router.runtime.overrides.yaml`): the
 * adjusted priors, written atomically (temp file + rename) and read back at start. A file that cannot be read or
 * parsed is reported and ignored, never fatal: the priors start again from the config.
 */
import {readFile} from 'node:fs/promises'
import {parse, stringify} from 'yaml'

import {writeFileAtomic} from '../atomic-write.js'
import {RuntimeOverridesFileSchema, type ModelPrior, type TierEscalation} from './schema.js'

/** What reading the file gave: the priors (and tiers raised by quality feedback), or why there are none. */
export type OverridesRead =
  | {kind: 'loaded'; priors: Record<string, ModelPrior>; escalations?: Record<string, TierEscalation>}
  | {kind: 'missing'}
  | {kind: 'invalid'; message: string}

const HEADER = `# Runtime-adjusted model priors, written by open-llm-router (router serve) from live metrics.
# Routing uses these instead of the config's latency_ms and failure_rate, and raises the tiers under escalations
# until their end. Safe to delete: the priors then start again from the config, and no tier is raised.
# See docs/gateway.md, "Live metrics and the runtime policy".
`

/** Parses the file's text. */
export function parseOverrides(text: string): OverridesRead {
  let value: unknown
  try {
    value = parse(text)
  } catch (error) {
    return {kind: 'invalid', message: `not valid YAML: ${firstLine((error as Error).message)}`}
  }
  if (value === null || value === undefined) return {kind: 'loaded', priors: {}}
  const result = RuntimeOverridesFileSchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)'
    return {kind: 'invalid', message: `${where}: ${issue.message}`}
  }
  const {escalations} = result.data
  return Object.keys(escalations).length === 0
    ? {kind: 'loaded', priors: result.data.models}
    : {kind: 'loaded', priors: result.data.models, escalations}
}

/** The file's text for `priors` (models sorted by key) and the escalations in force, if any. */
export function renderOverrides(
  priors: Readonly<Record<string, ModelPrior>>,
  updatedAt: string,
  escalations: Readonly<Record<string, TierEscalation>> = {},
): string {
  const models: Record<string, ModelPrior> = {}
  for (const key of Object.keys(priors).sort()) models[key] = priors[key]
  const file: Record<string, unknown> = {schema_version: 1, updated_at: updatedAt, models}
  if (Object.keys(escalations).length > 0) file.escalations = escalations
  return HEADER + stringify(file, {lineWidth: 0})
}

/** Reads the file at `path`. */
export async function readOverrides(path: string): Promise<OverridesRead> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {kind: 'missing'}
    return {kind: 'invalid', message: `cannot read it (${code ?? (error as Error).message})`}
  }
  return parseOverrides(text)
}

/**
 * Writes the file atomically (readers see the old file or the new one). A new file is readable by its owner only
 * (0600): it shows which models a deployment uses and how they fare. An existing file keeps its mode.
 */
export async function writeOverrides(
  path: string,
  priors: Readonly<Record<string, ModelPrior>>,
  updatedAt: string,
  escalations: Readonly<Record<string, TierEscalation>> = {},
): Promise<void> {
  await writeFileAtomic(path, renderOverrides(priors, updatedAt, escalations), {mode: 0o600})
}

function firstLine(text: string): string {
  return text.split('\n')[0]
}
