import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {describeLimits, keysFileFlag, runCreate} from '../../cli/keys.js'

export default class KeysCreate extends BaseCommand {
  static override summary = 'Create an ingress API key, with optional budgets and limits.'

  static override description = `Prints the new key once: only its SHA-256 is stored (in ROUTER_KEYS_FILE, default ./router.keys.json), so it cannot be shown again. The key's name is its principal in the audit log. A running gateway picks the key up within two seconds; it needs INGRESS_AUTH_REQUIRED=true to demand keys at all.

Budgets count the estimated cost of the key's answers (proxy_response.cost_usd) per UTC day and month; rpm and tpm count per minute; --max-concurrency counts requests in flight. With ROUTER_STATE_URL they hold across every replica. A request over a limit gets a 429 with Retry-After whose error code names the limit.

--json prints {"file", "key", "name", "hint", "created_at", "limits"}.`

  static override examples = [
    {description: 'A key for CI with no limits', command: '<%= config.bin %> <%= command.id %> --name ci'},
    {
      description: 'A key with a daily budget and a rate limit',
      command: '<%= config.bin %> <%= command.id %> --name alice --budget-usd-day 5 --rpm 60',
    },
    {
      description: 'A key that may only use small OpenAI models',
      command: '<%= config.bin %> <%= command.id %> --name batch --allowed-models "openai/*mini*" --max-concurrency 4',
    },
  ]

  static override flags = {
    name: Flags.string({
      description: 'Name of the key (its principal): letters, digits, ".", "_", "@", "-".',
      required: true,
    }),
    'budget-usd-day': Flags.string({description: 'Estimated spend allowed per UTC day, in USD.'}),
    'budget-usd-month': Flags.string({description: 'Estimated spend allowed per UTC month, in USD.'}),
    rpm: Flags.integer({description: 'Requests allowed per minute.'}),
    tpm: Flags.integer({description: 'Tokens (prompt + completion) allowed per minute.'}),
    'max-concurrency': Flags.integer({description: 'Requests in flight at once.'}),
    'allowed-models': Flags.string({
      description: 'Comma-separated model key patterns (`*` wildcards) the key may be routed to.',
    }),
    'keys-file': keysFileFlag,
    json: Flags.boolean({description: 'Print the result as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(KeysCreate)
    const money = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value))
    const {file, key, stored} = await runCreate({
      name: flags.name,
      limits: {
        'budget-usd-day': money(flags['budget-usd-day']),
        'budget-usd-month': money(flags['budget-usd-month']),
        rpm: flags.rpm,
        tpm: flags.tpm,
        'max-concurrency': flags['max-concurrency'],
        'allowed-models': flags['allowed-models'],
      },
      keysFile: flags['keys-file'],
      env: process.env,
    })
    if (flags.json) {
      this.printJson({
        file,
        key,
        name: stored.name,
        hint: stored.hint,
        created_at: stored.created_at,
        limits: stored.limits,
      })
      return
    }
    process.stdout.write(`${key}\n`)
    process.stderr.write(
      `Created key "${stored.name}" (${describeLimits(stored.limits)}) in ${file}. Copy it now: it is not stored and cannot be shown again.\n`,
    )
  }
}
