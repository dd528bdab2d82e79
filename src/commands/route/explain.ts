import {Args, Flags} from '@oclif/core'

import {apiKeyFlag} from '../../cli/api-key-flag.js'
import {BaseCommand} from '../../cli/base-command.js'
import {configFlag} from '../../cli/config-flag.js'
import {cooldownSourceOf, explainCooling} from '../../cli/explain-cooldowns.js'
import {formatDecision} from '../../cli/format-decision.js'
import {
  bodyFromEntry,
  bodyFromPrompt,
  ENDPOINT_FLAGS,
  explainBody,
  loadExplainTarget,
  parseEndpointFlag,
  readRequestFile,
  readStdinText,
  warmUp,
} from '../../cli/route-explain.js'
import {explainMany} from '../../cli/route-explain-batch.js'
import {auditLogPath, sessionFromLog} from '../../cli/session-from-log.js'
import {UsageError} from '../../core/errors.js'
import type {Endpoint} from '../../core/routing/schema.js'

export default class RouteExplain extends BaseCommand {
  static override summary =
    'Dry-run the router: show the task, complexity, candidates and chain it would pick for a request.'

  static override description = `No upstream call is made. Give the request as a prompt ("-" reads it from standard input; --system adds a system prompt), as a full request body (--file request.json), or as many requests at once (--input requests.jsonl, one request body, {"prompt": …, "system"?: …} object or JSON string per line; "-" reads standard input).

The report shows the task and complexity with the signals that decided them, the route used (after tier and task fallbacks), every candidate with its score components (quality, cost, latency, failure, order) or the reason it was excluded, the selected model and the fallback chain. With --input, each request gets one line and a summary follows (counts per task, complexity and selected model, and the estimated cost of the routed requests on their selected models), to evaluate a profile on your own traffic.

The config comes from --config, else $ROUTING_CONFIG_PATH, else ./router.profile.yaml; when none is named and that file does not exist, the built-in \`auto\` profile with every catalog model stands in (account checks skipped) and a note says so.

--session ID explains the request as the next turn of a session the gateway served, rebuilt from its audit log (--log): whether affinity keeps it on its model, moves it, or finds its cache cold, and what staying and switching would cost.

--log FILE (the gateway's audit log) or --url URL (a running gateway's live metrics, with --api-key or ROUTER_API_KEY when ingress auth is on) adds the cool-downs the gateway holds now after 429s: which targets of the chain are cooling down, until when and why, and where the gateway would start. Without them, nothing but the config is read.

--json prints the RoutingDecision (keys: source, requested_model, model_alias, endpoint, task, complexity, complexity_score, confidence, selected_model, fallback_models, candidates, signals, requirements, provider_tools, profile, route, session, decision_ms; with --log or --url also cooldowns and gateway_would_start_at). With --input, --json prints JSON lines: {"line", "decision"} or {"line", "error"} per request, then {"summary"}. A request the router refuses (unknown model, no candidate) exits with code 1; unreadable files exit with code 2, and so does --input when some lines were not requests.`

  static override examples = [
    {
      description: 'Explain a prompt',
      command: '<%= config.bin %> <%= command.id %> "Write a Python function that merges two sorted lists"',
    },
    {
      description: 'With a system prompt',
      command: '<%= config.bin %> <%= command.id %> "Extract the dates" --system "Answer in JSON only"',
    },
    {
      description: 'A full request body for the Responses API',
      command: '<%= config.bin %> <%= command.id %> --file request.json --endpoint responses',
    },
    {description: 'A prompt from a file', command: '<%= config.bin %> <%= command.id %> - < prompt.txt'},
    {
      description: 'Evaluate a profile on your traffic',
      command: '<%= config.bin %> <%= command.id %> --input requests.jsonl --config router.profile.yaml',
    },
    {
      description: 'Test an explicit model',
      command: '<%= config.bin %> <%= command.id %> "hi" --model openai/gpt-5-mini',
    },
    {
      description: 'The decision as JSON',
      command: '<%= config.bin %> <%= command.id %> "Prove that √2 is irrational" --json',
    },
    {
      description: "The next turn of a session in the gateway's audit log: does affinity keep it, and at what cost?",
      command:
        '<%= config.bin %> <%= command.id %> "And now the tests" --session header:3q2V7k… --log logs/router_decisions.jsonl',
    },
    {
      description: 'With the cool-downs the gateway holds after 429s: where would it start now?',
      command: '<%= config.bin %> <%= command.id %> "Refactor the parser" --log logs/router_decisions.jsonl',
    },
    {
      description: 'The same, from a running gateway',
      command: '<%= config.bin %> <%= command.id %> "Refactor the parser" --url http://127.0.0.1:8000',
    },
  ]

  static override args = {
    // Standard input is read only on request ("-"), so that `--input -` gets it and nothing waits on a silent pipe.
    prompt: Args.string({
      description: 'The user prompt to route ("-" reads it from standard input), or use --file / --input.',
      required: false,
      ignoreStdin: true,
    }),
  }

  static override flags = {
    config: configFlag,
    system: Flags.string({description: 'System prompt sent with the prompt.', helpValue: 'TEXT'}),
    file: Flags.string({char: 'f', description: 'JSON file with one full request body.', helpValue: 'FILE'}),
    input: Flags.string({
      char: 'i',
      description: 'JSON lines file of requests (a body, {"prompt": …} or a JSON string per line); "-" for stdin.',
      helpValue: 'FILE',
    }),
    endpoint: Flags.string({
      char: 'e',
      description: `API the request is for: ${Object.keys(ENDPOINT_FLAGS).join(', ')}, or its path (/v1/responses).`,
      helpValue: 'API',
      default: 'chat',
    }),
    model: Flags.string({
      char: 'm',
      description: "Model to request instead of auto (replaces the body's model).",
      helpValue: 'MODEL',
    }),
    json: Flags.boolean({description: 'Print the decision as JSON (JSON lines with --input).', default: false}),
    session: Flags.string({
      description:
        'Explain the request as the next turn of this session (its id in the audit log: route_decision.session.id).',
      helpValue: 'ID',
    }),
    log: Flags.string({
      description:
        "The gateway's audit log: shows its active cool-downs, and is where --session is read from (for --session only, the default is $ROUTER_AUDIT_LOG_PATH, else logs/router_decisions.jsonl).",
      helpValue: 'FILE',
    }),
    url: Flags.string({
      char: 'u',
      description:
        'A running gateway (e.g. http://127.0.0.1:8000): shows its active cool-downs, read from GET /v1/router/live-metrics.',
      helpValue: 'URL',
    }),
    'api-key': apiKeyFlag,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(RouteExplain)
    const sources = [args.prompt !== undefined, flags.file !== undefined, flags.input !== undefined].filter(
      Boolean,
    ).length
    if (sources !== 1) {
      throw new UsageError(sources === 0 ? 'nothing to explain' : 'give only one of a prompt, --file and --input', {
        hint: 'router route explain "your prompt" | --file request.json | --input requests.jsonl',
      })
    }
    if (flags.system !== undefined && args.prompt === undefined) {
      throw new UsageError('--system goes with a prompt argument', {
        hint: 'put the system message in the request body instead',
      })
    }
    const endpoint: Endpoint = parseEndpointFlag(flags.endpoint)
    const cooldowns = cooldownSourceOf({...flags, apiKey: flags['api-key']})
    const target = await loadExplainTarget(flags.config)

    if (flags.input !== undefined) {
      warmUp(target)
      await explainMany(target, flags.input, endpoint, flags.model, flags.json)
      return
    }
    const prompt = args.prompt === '-' ? await readStdinText() : args.prompt
    const body =
      flags.file === undefined
        ? bodyFromPrompt(endpoint, prompt!, {system: flags.system, model: flags.model})
        : bodyFromEntry(await readRequestFile(flags.file), endpoint, flags.model)
    if (typeof body === 'string') throw new UsageError(`--file ${flags.file}: ${body}`)
    warmUp(target, body, endpoint)
    const session =
      flags.session === undefined ? undefined : await sessionFromLog(flags.log ?? auditLogPath(), flags.session)
    const decision = explainBody(target, body, endpoint, session)
    const cooling =
      cooldowns === undefined ? undefined : await explainCooling(cooldowns, decision, target, session?.state.account)
    if (flags.json) {
      for (const note of target.notes) process.stderr.write(`Note: ${note}\n`)
      this.printJson(cooling === undefined ? decision : {...decision, ...cooling.json})
    } else {
      process.stdout.write(formatDecision(decision, target.notes, cooling?.lines) + '\n')
    }
  }
}
