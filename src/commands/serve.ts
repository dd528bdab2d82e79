import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFlag} from '../cli/config-flag.js'
import {runServe} from '../cli/serve.js'

export default class Serve extends BaseCommand {
  static override summary = 'Start the OpenAI-compatible gateway.'

  static override description = `Serves /v1/chat/completions, /v1/responses, /v1/completions, /v1/embeddings, /v1/images/generations, any other POST /v1/* JSON path, /v1/models and /health. Requests with model "auto" (or no model) are classified and routed by the profile; on 429, 5xx or a dead connection the next account or model takes over.

In a terminal it shows a live dashboard of routing decisions and metrics (--no-tui for plain lines). Otherwise it prints one line per request (JSON lines with --log-format json). Every decision and attempt is also written to the audit log (ROUTER_AUDIT_LOG_PATH, default logs/router_decisions.jsonl).

--workers N runs N processes on one port (node:cluster); they share cool-downs, breakers, idempotency records and key limits through ROUTER_STATE_URL (Redis) or, without it, the primary process, which also writes the one audit log and shows the dashboard.

The config is --config, else ROUTING_CONFIG_PATH, else ./router.profile.yaml; --demo needs none: it starts three simulated providers and sends sample traffic. Environment variables (HOST, PORT, BACKEND_*, INGRESS_*, …) are listed in docs/gateway.md.`

  static override examples = [
    {
      description: 'Try it with no keys: simulated providers and sample traffic',
      command: '<%= config.bin %> serve --demo',
    },
    {
      description: 'Serve a profile on port 8080',
      command: '<%= config.bin %> serve --config router.profile.yaml --port 8080',
    },
    {
      description: 'Serve other machines too, with ingress auth (it listens on 127.0.0.1 unless told otherwise)',
      command:
        'INGRESS_AUTH_REQUIRED=true INGRESS_API_KEYS=team:$(openssl rand -hex 24) <%= config.bin %> serve --host 0.0.0.0',
    },
    {description: 'JSON lines for a log collector', command: '<%= config.bin %> serve --no-tui --log-format json'},
    {
      description: 'Four worker processes on one port, sharing state through Redis',
      command: 'ROUTER_STATE_URL=redis://127.0.0.1:6379 <%= config.bin %> serve --workers 4',
    },
  ]

  static override flags = {
    config: configFlag,
    host: Flags.string({
      description:
        'Interface to listen on (default HOST or 127.0.0.1, this machine only; 0.0.0.0 for every interface).',
    }),
    port: Flags.integer({
      description: 'Port to listen on (default PORT or 8000; 0 picks a free port).',
      min: 0,
      max: 65535,
    }),
    demo: Flags.boolean({
      description: 'Run on built-in simulated providers with sample traffic (no keys needed).',
      default: false,
    }),
    'demo-traffic': Flags.boolean({description: 'With --demo: send sample requests.', default: true, allowNo: true}),
    tui: Flags.boolean({
      description: 'Show the live dashboard when stdout is a terminal.',
      default: true,
      allowNo: true,
    }),
    workers: Flags.integer({
      description:
        'Worker processes sharing the port (node:cluster); they share state through ROUTER_STATE_URL or, without it, the primary.',
      min: 1,
      default: 1,
    }),
    'log-format': Flags.option({
      description: 'Per-request lines when there is no dashboard.',
      options: ['text', 'json'] as const,
      default: 'text',
    })(),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Serve)
    await runServe({
      configFlag: flags.config,
      host: flags.host,
      port: flags.port,
      demo: flags.demo,
      demoTraffic: flags['demo-traffic'],
      tui: flags.tui,
      logFormat: flags['log-format'],
      workers: flags.workers,
    })
  }
}
