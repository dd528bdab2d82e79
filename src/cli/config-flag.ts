/**
 * The `--config FILE` flag of every command that reads a config or profile file, and the one place its path is
 * resolved: the flag, else `$ROUTING_CONFIG_PATH`, else `./router.profile.yaml`.
 */
import {Flags} from '@oclif/core'

import {CONFIG_PATH_ENV, DEFAULT_CONFIG_FILE} from '../core/config/load.js'

const DESCRIPTION = `Config file: a profile (${DEFAULT_CONFIG_FILE}) or a raw runtime config. Defaults to $${CONFIG_PATH_ENV}, then ./${DEFAULT_CONFIG_FILE}.`

/** `--config FILE`, with `--path FILE` kept as an alias (serve, route and profile commands). */
export const configFlag = Flags.string({aliases: ['path'], helpValue: 'FILE', description: DESCRIPTION})

/** `--config FILE`, with `--profile FILE` kept as an alias: the `provider` commands named the flag after the profile. */
export const providerConfigFlag = Flags.string({aliases: ['profile'], helpValue: 'FILE', description: DESCRIPTION})

/** The config file a command reads. */
export interface ConfigPath {
  path: string
  /** True when the user named it (flag or environment), false for the default file. */
  named: boolean
}

/** The config file for a `--config` value: the flag, else `$ROUTING_CONFIG_PATH`, else `./router.profile.yaml`. */
export function resolveConfigFlag(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfigPath {
  if (flag) return {path: flag, named: true}
  const fromEnv = env[CONFIG_PATH_ENV]
  if (fromEnv) return {path: fromEnv, named: true}
  return {path: DEFAULT_CONFIG_FILE, named: false}
}

/** The path alone (see `resolveConfigFlag`). */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolveConfigFlag(flag, env).path
}
