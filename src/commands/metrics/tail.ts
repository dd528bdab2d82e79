import {Flags} from '@oclif/core'

import {apiKeyFlag} from '../../cli/api-key-flag.js'
import {BaseCommand} from '../../cli/base-command.js'

export default class MetricsTail extends BaseCommand {
  static override summary = 'Watch routing decisions and live metrics from an audit log or a running gateway.'

  static override description = `Reads the gateway's audit log (--file, default ROUTER_AUDIT_LOG_PATH or logs/router_decisions.jsonl) from the start, or from the end or a time with --since, and follows it like tail -F: new lines, rotation (the file is renamed and a new one created) and truncation. A half-written last line waits for its newline; lines that are not audit events are skipped. With --url it follows a running gateway's event stream instead (GET /v1/router/events, with --api-key or ROUTER_API_KEY when ingress auth is on), reconnecting when the gateway restarts.

In a terminal it shows the live dashboard: per-model and per-account EWMA latency and failure rate, breaker state, and every routing decision with its fallbacks (press ? for keys). --json prints the rolling metrics snapshot as one JSON line every --interval seconds instead; --no-tui (or a stdout that is not a terminal) prints one line per request, as text or JSON lines (--log-format json). With --url and --fleet the figures are the fleet's (every replica sharing the gateway's state, merged, asked every --interval seconds; see docs/metrics.md, "Fleet view"): the dashboard shows them while its decision log follows the asked replica, and --json prints them. --once reads the whole file, prints a summary (totals, per model, task and complexity, latency percentiles, error types, fallbacks; JSON with --json) and exits. The JSON shapes are documented in docs/metrics.md.`

  static override examples = [
    {description: 'Dashboard on the default audit log', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only what happens from now on', command: '<%= config.bin %> <%= command.id %> --since end'},
    {
      description: 'The last hour of a log, summarised',
      command: '<%= config.bin %> <%= command.id %> --file logs/router_decisions.jsonl --since 1h --once',
    },
    {description: 'Summary as JSON for a script', command: '<%= config.bin %> <%= command.id %> --once --json'},
    {
      description: 'Follow a running gateway',
      command: '<%= config.bin %> <%= command.id %> --url http://127.0.0.1:8000 --api-key $ROUTER_API_KEY',
    },
    {
      description: 'Metrics snapshots every 5 s, as JSON lines',
      command: '<%= config.bin %> <%= command.id %> --json --interval 5',
    },
    {
      description: "The dashboard with the whole fleet's figures (decisions from the replica asked)",
      command: '<%= config.bin %> <%= command.id %> --url http://router.internal:8000 --fleet',
    },
    {
      description: 'The whole fleet behind a load balancer, merged, as JSON lines',
      command: '<%= config.bin %> <%= command.id %> --url http://router.internal:8000 --fleet --json',
    },
    {description: 'One line per request, for grep', command: '<%= config.bin %> <%= command.id %> --no-tui'},
  ]

  static override flags = {
    file: Flags.string({
      char: 'f',
      helpValue: 'FILE',
      description: 'Audit log to read (default: ROUTER_AUDIT_LOG_PATH, or logs/router_decisions.jsonl).',
    }),
    url: Flags.string({
      char: 'u',
      helpValue: 'URL',
      description: "Follow a running gateway's event stream instead of a file, e.g. http://127.0.0.1:8000.",
    }),
    'api-key': apiKeyFlag,
    since: Flags.string({
      helpValue: 'WHEN',
      description:
        'Where to start in the file: start (default), end, a duration back from now (30s, 10m, 2h, 1d) or an ISO time.',
    }),
    json: Flags.boolean({
      description: 'Print the rolling metrics snapshot as JSON lines (with --once: the summary as JSON).',
      default: false,
    }),
    interval: Flags.string({
      helpValue: 'SECONDS',
      description: "Seconds between snapshots with --json, and between the fleet's with --fleet.",
      default: '2',
    }),
    once: Flags.boolean({description: 'Summarise the whole file and exit.', default: false}),
    tui: Flags.boolean({
      description: 'Show the dashboard when stdout is a terminal (--no-tui prints one line per request).',
      default: true,
      allowNo: true,
    }),
    'log-format': Flags.option({
      options: ['text', 'json'] as const,
      description: 'Form of the per-request lines without the dashboard.',
      default: 'text',
    })(),
    fleet: Flags.boolean({
      description:
        "With --url: every replica's live metrics merged (GET /v1/router/live-metrics?scope=fleet), not only the replica that answers, in the dashboard (its decision log stays that replica's) or with --json.",
      default: false,
    }),
    alpha: Flags.string({
      helpValue: 'ALPHA',
      description: 'EWMA smoothing factor in (0, 1] (default: LIVE_METRICS_EWMA_ALPHA, or 0.2).',
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(MetricsTail)
    // React's development build costs several times the CPU per frame: the dashboard loads React only from here on.
    process.env.NODE_ENV ??= 'production'
    const {positiveNumber, runMetricsTail} = await import('../../cli/metrics-tail.js')
    await runMetricsTail({
      file: flags.file,
      url: flags.url,
      apiKey: flags['api-key'],
      since: flags.since,
      json: flags.json,
      interval: positiveNumber(flags.interval, '--interval'),
      once: flags.once,
      tui: flags.tui,
      logFormat: flags['log-format'],
      alpha: flags.alpha === undefined ? undefined : positiveNumber(flags.alpha, '--alpha'),
      fleet: flags.fleet,
    })
  }
}
