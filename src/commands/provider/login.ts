import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configPath, providerConfigFlag} from '../../cli/config-flag.js'
import {isInteractive, terminalPrompter} from '../../cli/prompts.js'
import {describeLogin, runLogin, type LoginKind} from '../../cli/provider/login.js'

export default class ProviderLogin extends BaseCommand {
  static override summary =
    'Add or update a provider account in the profile; keys go to the credentials file, never into the profile.'

  static override description = `Writes an account into the profile (created if missing), keeping the file's comments and order. Re-running with the same --name updates that account in place.

Secrets: --apikey-env VAR saves only the variable's name in the profile; --apikey KEY (or a key typed at the prompt) is saved to the credentials file ($ROUTER_CREDENTIALS_PATH, else ~/.config/open-llm-router/credentials.json, mode 600), which the account references by its name. --kind chatgpt signs in to a ChatGPT subscription in the browser (OAuth with PKCE) and saves the tokens there; the gateway refreshes them.

In a terminal, anything the flags do not say is asked. Without a terminal nothing is asked: a missing flag is an error that names it (exit code 2), so scripted logins never hang.

--json prints {"account", "provider", "profile", "auth_mode", "secret_location", "models", "verified", ...}; secret_location is "env:VAR", "credentials-file" or "none". The secret itself is never printed.`

  static override examples = [
    {description: 'Interactive: pick provider, name, key and models', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'OpenAI with the key in an environment variable (CI)',
      command: '<%= config.bin %> <%= command.id %> openai --apikey-env OPENAI_API_KEY',
    },
    {
      description: 'Gemini limited to two models, key checked first',
      command:
        '<%= config.bin %> <%= command.id %> gemini --apikey-env GEMINI_API_KEY --models gemini-2.5-pro,gemini-2.5-flash --verify',
    },
    {
      description: 'A local Ollama server',
      command: '<%= config.bin %> <%= command.id %> ollama --base-url http://localhost:11434',
    },
    {
      description: 'A vLLM server with a key saved to the credentials file',
      command:
        '<%= config.bin %> <%= command.id %> openai-compatible --name vllm --base-url http://gpu-box:8000/v1 --apikey sk-local',
    },
    {
      description: 'ChatGPT subscription (browser sign-in)',
      command: '<%= config.bin %> <%= command.id %> openai --kind chatgpt',
    },
    {
      description: 'ChatGPT on a machine without a browser',
      command: '<%= config.bin %> <%= command.id %> openai --kind chatgpt --no-browser',
    },
  ]

  static override args = {
    provider: Args.string({
      description:
        'Provider (`openai`, `gemini`, `anthropic`, `openrouter`, `nvidia`, `github`, `ollama`, `openai-compatible`, `openai-codex`).',
    }),
  }

  static override flags = {
    kind: Flags.string({
      options: ['apikey', 'chatgpt'],
      description:
        '`apikey` (default) or `chatgpt` (provider openai: sign in to a ChatGPT subscription; creates an openai-codex account).',
    }),
    name: Flags.string({
      description: 'Account name (default: the provider name, or `chatgpt`). An existing name is updated.',
    }),
    apikey: Flags.string({
      description:
        'The API key; saved to the credentials file, never to the profile. Shell history keeps it: prefer --apikey-env or the prompt.',
      helpValue: 'KEY',
    }),
    'apikey-env': Flags.string({
      aliases: ['api-key-env'],
      description: 'Name of the environment variable that holds the key; only the name is saved.',
      helpValue: 'VAR',
    }),
    models: Flags.string({
      multiple: true,
      description:
        'Models the account serves (comma-separated or repeated; bare ids are qualified with the provider). Default: all.',
      helpValue: 'MODELS',
    }),
    'base-url': Flags.string({
      description: 'API root for openai-compatible, ollama or a self-hosted endpoint (e.g. http://localhost:8000/v1).',
      helpValue: 'URL',
    }),
    config: providerConfigFlag,
    browser: Flags.boolean({
      allowNo: true,
      default: true,
      description:
        'Open the browser for --kind chatgpt. --no-browser prints the URL and, in a terminal, accepts the pasted redirect address.',
    }),
    verify: Flags.boolean({
      description: "Call the provider's models endpoint once with the key; nothing is written if it fails.",
      default: false,
    }),
    json: Flags.boolean({description: 'Print the result as JSON.', default: false}),
    timeout: Flags.integer({
      description: 'Seconds to wait for the ChatGPT sign-in.',
      default: 300,
      min: 1,
      helpGroup: 'ADVANCED',
    }),
    'auth-url': Flags.string({
      description: 'OAuth authorize URL (default https://auth.openai.com/oauth/authorize).',
      helpGroup: 'ADVANCED',
      helpValue: 'URL',
    }),
    'token-url': Flags.string({
      description: 'OAuth token URL (default https://auth.openai.com/oauth/token).',
      helpGroup: 'ADVANCED',
      helpValue: 'URL',
    }),
    'client-id': Flags.string({description: 'OAuth client id (default: the Codex CLI client).', helpGroup: 'ADVANCED'}),
    'redirect-port': Flags.integer({
      description: 'Port of the loopback redirect (default 1455; 0 picks a free port).',
      helpGroup: 'ADVANCED',
      min: 0,
      max: 65535,
    }),
    'redirect-uri': Flags.string({
      description: 'Whole loopback redirect URI (default http://localhost:1455/auth/callback).',
      helpGroup: 'ADVANCED',
      helpValue: 'URI',
    }),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ProviderLogin)
    const interactive = isInteractive()
    const result = await runLogin(
      {
        provider: args.provider,
        kind: flags.kind as LoginKind | undefined,
        name: flags.name,
        apikey: flags.apikey,
        apikeyEnv: flags['apikey-env'],
        models: flags.models,
        baseUrl: flags['base-url'],
        profile: configPath(flags.config),
        noBrowser: !flags.browser,
        verify: flags.verify,
        oauth: {
          authUrl: flags['auth-url'],
          tokenUrl: flags['token-url'],
          clientId: flags['client-id'],
          redirectPort: flags['redirect-port'],
          redirectUri: flags['redirect-uri'],
          timeoutMs: flags.timeout * 1000,
        },
      },
      {
        env: process.env,
        prompter: interactive ? terminalPrompter() : undefined,
        input: interactive ? process.stdin : undefined,
        notice: (line) => process.stderr.write(line + '\n'),
      },
    )
    if (flags.json) this.printJson(result)
    else process.stdout.write(describeLogin(result) + '\n')
  }
}
