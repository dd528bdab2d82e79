import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configPath, providerConfigFlag} from '../../cli/config-flag.js'
import {describeLogout, runLogout} from '../../cli/provider/logout.js'
import {credentialsPath} from '../../core/credentials/store.js'

export default class ProviderLogout extends BaseCommand {
  static override summary = 'Remove an account from the profile and delete its stored secret.'

  static override description = `Removes the account's lines from the profile (everything else, comments included, stays as it is) and deletes its entry from the credentials file, unless --keep-credentials is given or another account shares it. A name that is only left in the credentials file (its account was deleted by hand) is cleaned up too.

--json prints {"account", "provider", "profile", "removed_from_profile", "credentials_removed", "credentials_kept_reason"}.`

  static override examples = [
    {description: 'Remove the account `openai`', command: '<%= config.bin %> <%= command.id %> openai'},
    {
      description: 'Remove it from the profile but keep its key',
      command: '<%= config.bin %> <%= command.id %> openai --keep-credentials',
    },
  ]

  static override args = {
    name: Args.string({description: 'Account name (see `router provider list`).', required: true}),
  }

  static override flags = {
    config: providerConfigFlag,
    'keep-credentials': Flags.boolean({description: 'Keep the stored secret in the credentials file.', default: false}),
    json: Flags.boolean({description: 'Print the result as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ProviderLogout)
    const result = await runLogout({
      name: args.name,
      profile: configPath(flags.config),
      keepCredentials: flags['keep-credentials'],
      env: process.env,
      onWarning: (message) => process.stderr.write(`Warning: ${message}\n`),
    })
    if (flags.json) this.printJson(result)
    else process.stdout.write(describeLogout(result, credentialsPath(process.env)) + '\n')
  }
}
