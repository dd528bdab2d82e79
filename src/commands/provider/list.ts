import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configPath, providerConfigFlag} from '../../cli/config-flag.js'
import {formatAccountList, listAccounts} from '../../cli/provider/list.js'

export default class ProviderList extends BaseCommand {
  static override summary = "List the profile's accounts and where each one's secret lives (never the secret)."

  static override description = `For every account: provider, auth mode, whether it is enabled, how many models it serves ("any" when not limited), and where its secret comes from, in the order the gateway looks: an environment variable (and whether it is set), the credentials file, a key inline in the profile (better moved), or OAuth tokens with their expiry.

--json prints {"profile", "credentials_file", "accounts": [{"name", "provider", "auth_mode", "enabled", "base_url", "models", "secret": {"location", "env_var", "env_set", "expires_at", "refreshable", "summary"}}], "unused_credentials"}.`

  static override examples = [
    {description: 'Accounts of ./router.profile.yaml', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Another profile, as JSON',
      command: '<%= config.bin %> <%= command.id %> --config team.profile.yaml --json',
    },
  ]

  static override flags = {
    config: providerConfigFlag,
    json: Flags.boolean({description: 'Print the accounts as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ProviderList)
    const list = await listAccounts({
      profile: configPath(flags.config),
      env: process.env,
      onWarning: (message) => process.stderr.write(`Warning: ${message}\n`),
    })
    if (flags.json) this.printJson(list)
    else process.stdout.write(formatAccountList(list) + '\n')
  }
}
