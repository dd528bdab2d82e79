/** The service behind `router profile init`: checks the built-in profile, then writes a commented starter profile. */
import {access} from 'node:fs/promises'

import {writeFileAtomic} from '../core/atomic-write.js'
import {getBuiltinProfile} from '../core/catalog/index.js'
import {describeUnknownProfile} from '../core/catalog/resolve.js'
import {starterProfile} from '../core/config/starter.js'
import {UsageError} from '../core/errors.js'
import {configPath} from './config-flag.js'

/** What `profile init` wrote. */
export interface InitResult {
  file: string
  /** The built-in profile the file starts from. */
  profile: string
  /** Providers that got an account (those whose key variables are set, else a local Ollama). */
  providers: string[]
}

/**
 * Writes a starter profile from the built-in profile `profile` to the file of `configFlag` (see `configPath`). An
 * unknown profile name, or an existing file without `force`, is a usage error and nothing is written.
 */
export async function initProfile(options: {
  configFlag: string | undefined
  profile: string
  force: boolean
  env?: NodeJS.ProcessEnv
}): Promise<InitResult> {
  const env = options.env ?? process.env
  if (!getBuiltinProfile(options.profile)) {
    const {message, hint} = describeUnknownProfile(options.profile)
    throw new UsageError(message, {hint})
  }
  const file = configPath(options.configFlag, env)
  const exists = await access(file).then(
    () => true,
    () => false,
  )
  if (exists && !options.force) {
    throw new UsageError(`${file} already exists`, {
      hint: 'pass --force to overwrite it, or --config to write another file',
    })
  }
  const starter = starterProfile({profile: options.profile, env})
  await writeFileAtomic(file, starter.text)
  return {file, profile: options.profile, providers: starter.providers}
}
