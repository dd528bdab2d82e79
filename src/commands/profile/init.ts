import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/config-flag.js'
import {initProfile} from '../../cli/profile-init.js'

export default class ProfileInit extends BaseCommand {
  static override summary = 'Write a commented starter profile.'

  static override description = `Writes router.profile.yaml (or the file of --config FILE, alias --path) with every section explained in comments. Accounts are added for the providers whose key variables are already set (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, …): the profile names the variable, never the key. With none set, it starts with a local Ollama account.

--profile NAME is not a file: it names the built-in routing profile to start from (\`router profile list\`), auto by default.

An existing file is never overwritten without --force.`

  static override examples = [
    {description: 'Start a profile in the current directory', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Start from the built-in cost profile, in another file',
      command: '<%= config.bin %> <%= command.id %> --profile cost --config ~/.config/router/router.profile.yaml',
    },
    {description: 'Replace an existing file', command: '<%= config.bin %> <%= command.id %> --force'},
  ]

  static override flags = {
    config: configFlag,
    profile: Flags.string({
      description:
        'Name of the built-in routing profile to start from (`router profile list`); not a file: the file is --config.',
      default: 'auto',
      helpValue: 'NAME',
    }),
    force: Flags.boolean({description: 'Overwrite an existing file.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ProfileInit)
    const {file, profile, providers} = await initProfile({
      configFlag: flags.config,
      profile: flags.profile,
      force: flags.force,
    })
    process.stdout.write(
      `Wrote ${file} (profile \`${profile}\`, accounts: ${providers.join(', ')}).\n` +
        `Next: router profile validate --config ${file}   then   router profile compile --config ${file} --explain\n`,
    )
  }
}
