/**
 * Tools that only some providers run, as routing constraints.
 *
 * Function tools travel to every provider: the adapters translate them between OpenAI's chat completions, the
 * Responses API and Anthropic's Messages API. Every other tool type in a request is a provider's own and cannot be
 * translated:
 * - OpenAI's Responses API tools: hosted ones that run on OpenAI's servers (`web_search`, `web_search_preview`,
 *   `file_search`, `code_interpreter`, `image_generation`, `mcp`, `tool_search`) and built-in ones the model was
 *   trained on (`computer_use_preview`, `computer`, `local_shell`, `shell`, `apply_patch`); on chat completions,
 *   `custom` tools too. A `namespace` is not one of them: it groups functions the client runs itself ("groups
 *   function/custom tools under a shared namespace"), which the Responses bridge offers by their own names, so it
 *   travels like functions. Codex CLI sends `namespace`, `web_search`, `local_shell` and `custom` tools
 *   (https://developers.openai.com/api/docs/guides/tools, .../tools-tool-search);
 * - Anthropic's tools on the Messages API: server tools (`web_search_20250305`, `web_fetch_20250910`,
 *   `code_execution_20250825`, `tool_search_tool_regex_20251119`, `mcp_toolset`, …) and client tools whose schema
 *   Anthropic defines (`bash_20250124`, `text_editor_20250728`, `computer_20250124`, `memory_20250818`)
 *   (https://platform.claude.com/docs/en/agents-and-tools/tool-use/tool-reference).
 * The bridges refuse them (`src/gateway/adapters/responses-bridge.ts`, `messages-bridge.ts`, and the Anthropic and
 * ChatGPT adapters' chat translation); a test keeps those adapters and `PROVIDER_TOOLS` in step. Selection reads the
 * same table, so a candidate whose provider cannot run a request's tools is excluded before any attempt
 * (`hosted_tool`), and a provider that may or may not run them (an OpenAI-compatible server, OpenRouter) is let
 * through, ranked below those known to run them.
 */
import {getProvider} from '../catalog/index.js'
import type {Endpoint} from './schema.js'

/** What one endpoint's requests may carry and who runs the provider-specific part. */
export interface ProviderToolRule {
  /** Tool types every provider takes on this endpoint (the adapters translate them); untyped tools count as these. */
  portable: ReadonlySet<string>
  /** Whose tools the other types are, for messages. */
  owner: string
  /** Providers whose accounts run them: the API that defines them, spoken natively. */
  runBy: readonly string[]
  /** Providers that get them as they are and may or may not run them: the request is let through, ranked below. */
  unknown: readonly string[]
}

/**
 * Per endpoint, the tool types every provider takes and which providers run the others. A provider named in neither
 * list (and known to the catalog) cannot run them; one the catalog does not know counts as unknown.
 */
export const PROVIDER_TOOLS: Readonly<Partial<Record<Endpoint, ProviderToolRule>>> = {
  // OpenAI's API takes `custom` tools next to functions; the ChatGPT backend's and Anthropic's chat translation, and
  // Gemini's and GitHub's OpenAI-compatible endpoints, take functions only.
  'chat.completions': {
    portable: new Set(['function']),
    owner: "OpenAI's",
    runBy: ['openai'],
    unknown: ['openrouter', 'openai-compatible'],
  },
  // The Responses API itself: OpenAI's, and the ChatGPT backend's (Codex CLI's own upstream). Providers without it get
  // the request as a chat completion, which carries functions and custom tools only.
  responses: {
    portable: new Set(['function', 'custom', 'namespace']),
    owner: "OpenAI's",
    runBy: ['openai', 'openai-codex'],
    unknown: ['openrouter', 'openai-compatible'],
  },
  // Anthropic's Messages API; every other provider gets a chat completion, which carries client tools only.
  messages: {portable: new Set(['custom']), owner: "Anthropic's", runBy: ['anthropic'], unknown: []},
}

const NONE: readonly string[] = Object.freeze([])

/** The request's tool types that only some providers run, in order and without repeats; empty for most requests. */
export function providerToolTypes(body: unknown, endpoint: Endpoint): readonly string[] {
  const rule = PROVIDER_TOOLS[endpoint]
  if (rule === undefined || body === null || typeof body !== 'object') return NONE
  const tools = (body as Record<string, unknown>).tools
  if (!Array.isArray(tools) || tools.length === 0) return NONE
  let found: string[] | null = null
  for (const tool of tools) {
    const type = tool !== null && typeof tool === 'object' ? (tool as Record<string, unknown>).type : undefined
    if (typeof type !== 'string' || rule.portable.has(type)) continue
    found ??= []
    if (!found.includes(type)) found.push(type)
  }
  return found ?? NONE
}

/** Whether accounts of `provider` run the provider-specific tools of `endpoint`: yes, no, or nobody can say. */
export type ToolSupport = 'runs' | 'unknown' | 'cannot'

/** How `provider` stands with the provider-specific tools of `endpoint` (see `PROVIDER_TOOLS`). */
export function toolSupport(provider: string, endpoint: Endpoint): ToolSupport {
  const rule = PROVIDER_TOOLS[endpoint]
  if (rule === undefined || rule.runBy.includes(provider)) return 'runs'
  if (rule.unknown.includes(provider) || getProvider(provider) === undefined) return 'unknown'
  return 'cannot'
}

/** `the "web_search" tool is OpenAI's` / `the "web_search" and "file_search" tools are OpenAI's`, for reasons. */
export function describeProviderTools(types: readonly string[], endpoint: Endpoint): string {
  const owner = PROVIDER_TOOLS[endpoint]?.owner ?? "a provider's"
  const names = types.map((type) => JSON.stringify(type))
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
  return `the ${list} ${names.length === 1 ? 'tool is' : 'tools are'} ${owner}`
}

/** The providers that run `endpoint`'s provider-specific tools, for messages: `openai and openai-codex`. */
export function toolRunners(endpoint: Endpoint): string {
  const runBy = PROVIDER_TOOLS[endpoint]?.runBy ?? []
  return runBy.length <= 1 ? (runBy[0] ?? 'none') : `${runBy.slice(0, -1).join(', ')} and ${runBy.at(-1)}`
}
