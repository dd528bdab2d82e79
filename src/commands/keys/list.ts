import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {formatKeyList, keysFileFlag, runList} from '../../cli/keys.js'

export default class KeysList extends BaseCommand {
  static override summary = 'List the managed ingress keys: names, hints, limits, revoked or not (never a key).'

  static override description = `Reads the keys file (ROUTER_KEYS_FILE, default ./router.keys.json). A key's hint is its prefix and last four characters, to tell keys apart. Spend per key is on a running gateway: GET /v1/router/keys, the dashboard and \`router metrics tail\`.

--json prints {"file", "keys": [{"name", "sha256", "hint", "created_at", "revoked_at", "limits"}]}.`

  static override examples = [
    {description: 'Keys of ./router.keys.json', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Another keys file, as JSON',
      command: '<%= config.bin %> <%= command.id %> --keys-file /etc/router/keys.json --json',
    },
  ]

  static override flags = {
    'keys-file': keysFileFlag,
    json: Flags.boolean({description: 'Print the keys as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(KeysList)
    const {file, keys} = await runList({keysFile: flags['keys-file'], env: process.env})
    if (flags.json) this.printJson({file, keys})
    else process.stdout.write(formatKeyList(file, keys) + '\n')
  }
}
