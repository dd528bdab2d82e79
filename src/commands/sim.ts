import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {FAILURE_KINDS} from '../core/sim/schema.js'
import {listenError, listeningLine, requestLine, simOptionsFromFlags} from '../sim/cli.js'
import {startSim} from '../sim/server.js'

export default class Sim extends BaseCommand {
  static override summary =
    'Run a simulated provider (a fake OpenAI, Anthropic and ChatGPT-backend upstream) on loopback.'

  static override description = `Answers chat completions, responses, completions, embeddings, images, models, Anthropic messages and the ChatGPT Codex backend, streaming included, with deterministic text that names the simulator and the model ("[sim:NAME model=MODEL] …"). Latency, pacing and failures (429 with Retry-After, 5xx, connection resets, mid-stream drops, hangs) are configurable and reproducible with --seed; tests script exact behaviours over HTTP (POST /_sim/script) and read what was received (GET /_sim/requests).

Prints one line when listening (a JSON event with --json, so that scripts can read the URL), then one line per request unless --quiet or --fast. Stops cleanly on Ctrl-C or SIGTERM. See docs/sim.md.`

  static override examples = [
    {description: 'A provider on a random port', command: '<%= config.bin %> sim'},
    {
      description: 'A slow, flaky provider on a fixed port',
      command:
        '<%= config.bin %> sim --name beta --port 9001 --latency 200 --tps 40 --failure-rate 0.2 --failure-kinds 429,503,drop --seed 7',
    },
    {
      description: 'Only the Anthropic Messages API, with a required key',
      command: '<%= config.bin %> sim --protocol anthropic --api-key test-key',
    },
    {
      description: 'The fixed-response upstream of a benchmark, URL as JSON',
      command: '<%= config.bin %> sim --fast --json',
    },
  ]

  static override flags = {
    host: Flags.string({description: 'Interface to listen on.', default: '127.0.0.1'}),
    port: Flags.integer({description: 'Port to listen on (0: a free port).', default: 0, min: 0, max: 65535}),
    name: Flags.string({description: 'Name shown in replies, the x-sim-name header and logs.', default: 'sim'}),
    protocol: Flags.option({
      description: 'Which wire protocols to serve.',
      options: ['openai', 'anthropic', 'codex', 'all'] as const,
      default: 'all',
    })(),
    models: Flags.string({
      description: 'Comma-separated model ids listed by the models endpoints (any model is accepted).',
    }),
    latency: Flags.integer({description: 'Time to headers, in milliseconds.', default: 0, min: 0}),
    jitter: Flags.integer({description: 'Extra random time to headers, 0 to N milliseconds.', default: 0, min: 0}),
    tps: Flags.string({description: 'Tokens per second: paces streamed chunks (default: unpaced).'}),
    chunks: Flags.integer({description: 'Content chunks per streamed answer.', default: 20, min: 1, max: 100_000}),
    'failure-rate': Flags.string({description: 'Share of requests that fail, 0 to 1.', default: '0'}),
    'failure-kinds': Flags.string({
      description: `Comma-separated failures to draw from: ${FAILURE_KINDS.join(', ')} (default 429,500,503).`,
    }),
    seed: Flags.integer({
      description: 'Seed of the random failures and jitter (same seed, same sequence).',
      default: 1,
    }),
    'retry-after': Flags.integer({description: 'Retry-After seconds sent with 429 answers.', default: 1, min: 0}),
    'api-key': Flags.string({
      description: 'Require this key (Authorization: Bearer, or x-api-key for Anthropic).',
      env: 'ROUTER_SIM_API_KEY',
    }),
    fast: Flags.boolean({
      description: 'Fixed-response mode for benchmarks: precomputed chat answers, no request log.',
      default: false,
    }),
    quiet: Flags.boolean({description: 'Print only the listening line.', default: false}),
    json: Flags.boolean({
      description: 'Print JSON lines (the listening event, then one event per request).',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Sim)
    const options = simOptionsFromFlags(flags)
    const logRequests = !flags.quiet && !flags.fast
    const server = await startSim({
      ...options,
      onRequest: logRequests ? (record) => process.stdout.write(requestLine(record, flags.json) + '\n') : undefined,
    }).catch((error: unknown) => {
      throw listenError(error, flags.host, flags.port)
    })
    process.stdout.write(listeningLine(server, flags.json) + '\n')
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await server.close()
    if (flags.json)
      process.stdout.write(JSON.stringify({event: 'closed', name: server.name, requests: server.requestCount}) + '\n')
  }
}
