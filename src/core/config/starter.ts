/** The commented starter profile that `router profile init` writes. */
import {getCatalog} from '../catalog/index.js'

export interface StarterOptions {
  /** Built-in profile for `profile.default`. */
  profile: string
  /** Environment used to find provider keys that are already set (their variables become accounts). */
  env?: NodeJS.ProcessEnv
}

export interface Starter {
  text: string
  /** Providers that got an account (from keys found in the environment, else a local Ollama). */
  providers: string[]
}

/**
 * A starter profile: one account per provider whose conventional key variable is set in `env` (keys stay in the
 * environment, the profile only names the variable), or a local Ollama account when none is set.
 */
export function starterProfile(options: StarterOptions): Starter {
  const catalog = getCatalog()
  const detected = catalog.providers.filter((provider) => provider.api_key_env && options.env?.[provider.api_key_env])
  const accounts =
    detected.length > 0
      ? detected.map((provider) =>
          [
            `  - name: ${provider.name}`,
            `    provider: ${provider.name}`,
            `    api_key_env: ${provider.api_key_env}`,
          ].join('\n'),
        )
      : [
          '  # A local Ollama server (no key): `ollama serve`, then `ollama pull llama3.1:8b`.',
          '  - name: local',
          '    provider: ollama',
        ]
  const examples = catalog.providers
    .filter((provider) => provider.api_key_env && !detected.includes(provider))
    .slice(0, 3)
    .map(
      (provider) =>
        `  # - name: ${provider.name}\n  #   provider: ${provider.name}\n  #   api_key_env: ${provider.api_key_env}`,
    )
  const profiles = catalog.profiles.map((profile) => profile.name).join(', ')

  const text = `# Open-LLM Router profile. \`router profile compile --explain\` shows the runtime config it becomes;
# \`router profile validate\` checks it. Every field is described in docs/configuration.md.
schema_version: 1

profile:
  # Built-in routing profile for every task: ${profiles} (\`router profile list\`).
  default: ${options.profile}
  # Another profile for some tasks (general, coding, thinking, instruction_following, image):
  # per_task:
  #   coding: quality

# Models above these limits are dropped from the routes, globally or per task.
# guardrails:
#   max_cost_output_per_1k: 0.02    # US dollars per 1000 output tokens
#   max_latency_ms: 10000
#   max_failure_rate: 0.1
#   per_task:
#     general: {max_cost_output_per_1k: 0.005}

# Upstream accounts. Routes keep only the models these accounts serve (all catalog models of the provider unless
# \`models:\` lists some). Keys stay in environment variables (\`api_key_env\`) or in the credentials file written by
# \`router provider login\`; \`base_url\` comes from the catalog unless given.
accounts:
${[...accounts, ...examples].join('\n')}

# Anything in the compiled runtime config can be overridden here; merged last (null removes a key).
# raw_overrides:
#   retry_statuses: [429, 500, 502, 503, 504]
`
  return {text, providers: detected.length > 0 ? detected.map((provider) => provider.name) : ['ollama']}
}
