import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {profileShowText} from '../../cli/profile-output.js'
import {getBuiltinProfile} from '../../core/catalog/index.js'
import {describeUnknownProfile} from '../../core/catalog/resolve.js'
import {UsageError} from '../../core/errors.js'

export default class ProfileShow extends BaseCommand {
  static override summary = 'Show a built-in profile: its routes per task and tier, its fallbacks and default model.'

  static override description = `Each tier lists models from several providers in order of preference. Compiling a profile keeps those your accounts serve and that pass your guardrails; \`router profile compile --explain\` shows the result for your accounts.

--json prints the profile as stored: {"name", "description", "default_model", "task_routes", "fallback_models", "endpoint_models", "model_aliases"}.`

  static override examples = [
    {description: 'The routes of the default profile', command: '<%= config.bin %> <%= command.id %> auto'},
    {description: 'The cost profile as JSON', command: '<%= config.bin %> <%= command.id %> cost --json'},
  ]

  static override args = {
    name: Args.string({description: 'Profile name (`router profile list`).', required: true}),
  }

  static override flags = {
    json: Flags.boolean({description: 'Print the profile as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ProfileShow)
    const profile = getBuiltinProfile(args.name)
    if (!profile) {
      const {message, hint} = describeUnknownProfile(args.name)
      throw new UsageError(message, {hint})
    }
    if (flags.json) this.printJson(profile)
    else process.stdout.write(profileShowText(profile) + '\n')
  }
}
