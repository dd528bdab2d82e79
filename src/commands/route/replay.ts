import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/config-flag.js'
import {formatReplay, replayAuditLog} from '../../cli/route-replay.js'

export default class RouteReplay extends BaseCommand {
  static override summary =
    "Route an audit log's recorded decisions again on another config, and show what would change and what it would cost."

  static override description = `No upstream call is made and no prompt is needed (it works on logs written without prompts): each route_decision carries the task and complexity, the requirements (capabilities, estimated tokens), the session and the model the client named, and the answer's token counts price the turn. Sessions are replayed as the gateway runs them, turn by turn with the config's affinity settings, so a profile's session settings show.

The report lists the route changes (the model that answered → the model chosen now, with counts), the cost of the priced turns per model and in total as recorded and as replayed, the prompt tokens read from a cache, what affinity did, and the turns that could not be replayed or priced, and why.

The config comes from --config, else $ROUTING_CONFIG_PATH, else ./router.profile.yaml; when none is named and that file does not exist, the built-in \`auto\` profile with every catalog model stands in (account checks skipped). --json prints the report as one JSON object (documented in docs/routing.md). A log that cannot be read, or has no audit event in it, exits with code 2.`

  static override examples = [
    {
      description: 'What another profile would have cost on the traffic of a log',
      command: '<%= config.bin %> <%= command.id %> logs/router_decisions.jsonl --config cheaper.profile.yaml',
    },
    {
      description: 'The report as JSON',
      command: '<%= config.bin %> <%= command.id %> logs/router_decisions.jsonl --json',
    },
  ]

  static override args = {
    log: Args.string({description: 'The audit log to replay (the file ROUTER_AUDIT_LOG_PATH names).', required: true}),
  }

  static override flags = {
    config: configFlag,
    json: Flags.boolean({description: 'Print the report as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(RouteReplay)
    const {report, notes} = await replayAuditLog(args.log, flags.config)
    if (flags.json) {
      for (const note of notes) process.stderr.write(`Note: ${note}\n`)
      this.printJson(report)
    } else {
      process.stdout.write(formatReplay(report, notes) + '\n')
    }
  }
}
