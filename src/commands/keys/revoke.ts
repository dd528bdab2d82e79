import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {keysFileFlag, runRevoke} from '../../cli/keys.js'

export default class KeysRevoke extends BaseCommand {
  static override summary = 'Revoke a managed ingress key: gateways refuse it from then on.'

  static override description = `Marks the key revoked in the keys file (its name stays taken, so that the audit log keeps meaning one key). Running gateways reading that file refuse it within two seconds, without a restart. Revoking a revoked key changes nothing.

--json prints {"file", "name", "revoked_at"}.`

  static override examples = [
    {description: 'Revoke the key named alice', command: '<%= config.bin %> <%= command.id %> alice'},
  ]

  static override args = {
    name: Args.string({description: 'Name of the key (see `router keys list`).', required: true}),
  }

  static override flags = {
    'keys-file': keysFileFlag,
    json: Flags.boolean({description: 'Print the result as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(KeysRevoke)
    const {file, key} = await runRevoke({name: args.name, keysFile: flags['keys-file'], env: process.env})
    if (flags.json) this.printJson({file, name: key.name, revoked_at: key.revoked_at})
    else process.stdout.write(`Revoked key "${key.name}" (${key.hint}) in ${file} at ${key.revoked_at}.\n`)
  }
}
