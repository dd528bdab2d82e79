import {access} from 'node:fs/promises'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/config-flag.js'
import {writeFileAtomic} from '../../core/atomic-write.js'
import {getBuiltinProfile} from '../../core/catalog/index.js'
import {describeUnknownProfile} from '../../core/catalog/resolve.js'
import {resolveConfigPath} from '../../core/config/load.js'
import {starterProfile} from '../../core/config/starter.js'
import {UsageError} from '../../core/errors.js'

export default class ProfileInit extends BaseCommand {
  static override summary = 'Write a commented starter profile.'

  static override description = `Writes router.profile.yaml (or --config/--path FILE) with every section explained in comments. Accounts are added for the providers whose key variables are already set (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, …): the profile names the variable, never the key. With none set, it starts with a local Ollama account.

An existing file is never overwritten without --force.`

  static override examples = [
    {description: 'Start a profile in the current directory', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Start from the cost profile, somewhere else', command: '<%= config.bin %> <%= command.id %> --profile cost --path ~/.config/router/router.profile.yaml'},
    {description: 'Replace an existing file', command: '<%= config.bin %> <%= command.id %> --force'},
  ]

  static override flags = {
    config: configFlag,
    profile: Flags.string({description: 'Built-in profile to start from (`router profile list`).', default: 'auto', helpValue: 'NAME'}),
    force: Flags.boolean({description: 'Overwrite an existing file.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ProfileInit)
    if (!getBuiltinProfile(flags.profile)) {
      const {message, hint} = describeUnknownProfile(flags.profile)
      throw new UsageError(message, {hint})
    }
    const file = resolveConfigPath(flags.config, process.env)
    const exists = await access(file).then(
      () => true,
      () => false,
    )
    if (exists && !flags.force) {
      throw new UsageError(`${file} already exists`, {hint: 'pass --force to overwrite it, or --path to write another file'})
    }
    const starter = starterProfile({profile: flags.profile, env: process.env})
    await writeFileAtomic(file, starter.text)
    process.stdout.write(
      `Wrote ${file} (profile \`${flags.profile}\`, accounts: ${starter.providers.join(', ')}).\n` +
        `Next: router profile validate --path ${file}   then   router profile compile --path ${file} --explain\n`,
    )
  }
}
