/**
 * Built-in providers: where each lives, which protocol it speaks, how it authenticates, and how its prompt cache
 * behaves (how long a prefix stays warm; the default cache prices of its models as shares of their input price).
 *
 * Prompt caches, as the providers document them:
 * - OpenAI caches prefixes of 1024 tokens or more automatically, at no extra charge for writes; an in-memory cached
 *   prefix stays "active for 5 to 10 minutes of inactivity", at most an hour
 *   (https://platform.openai.com/docs/guides/prompt-caching): 300 s. Cached input costs a tenth of the input price for
 *   the GPT-5 family, a quarter for GPT-4.1 and o4-mini, half for GPT-4o (https://platform.openai.com/docs/pricing).
 *   The ChatGPT backend serves the same models behind the same cache.
 * - Anthropic caches up to `cache_control` breakpoints; the default ephemeral cache lives 5 minutes, refreshed by each
 *   use; writes cost 1.25 times the input price (2 times for the 1-hour cache), reads a tenth
 *   (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching).
 * - Gemini 2.5 and later cache implicitly, with no charge for writes and cached tokens at a tenth of the input price
 *   (https://ai.google.dev/gemini-api/docs/caching, https://ai.google.dev/gemini-api/docs/pricing); Google gives no
 *   lifetime for implicit cache entries ("send requests with a similar prefix in a short amount of time"): 300 s, as
 *   OpenAI's.
 * - OpenRouter passes each vendor's cache prices through and keeps a conversation on the provider whose cache is warm
 *   (https://openrouter.ai/docs/features/prompt-caching); its models state their own prices, others assume no discount.
 */
import type {ProviderInput} from '../schema.js'

/** Seconds a cached prefix stays warm after its last use at OpenAI, Anthropic (5-minute cache) and Gemini (above). */
const FIVE_MINUTES = 300

export const PROVIDERS: ProviderInput[] = [
  {
    name: 'openai',
    display_name: 'OpenAI',
    description: 'OpenAI API (platform.openai.com) with an API key.',
    base_url: 'https://api.openai.com/v1',
    adapter: 'openai',
    auth_modes: ['api_key', 'passthrough'],
    requires_key: true,
    api_key_env: 'OPENAI_API_KEY',
    docs_url: 'https://platform.openai.com/docs/api-reference',
    cache_ttl_seconds: FIVE_MINUTES,
    cached_input_ratio: 0.1,
  },
  {
    name: 'openai-codex',
    display_name: 'ChatGPT (Codex backend)',
    description: 'The ChatGPT backend used by Codex, with a ChatGPT subscription signed in by OAuth.',
    base_url: 'https://chatgpt.com/backend-api',
    adapter: 'openai-codex',
    auth_modes: ['oauth', 'api_key'],
    requires_key: true,
    models_path: '/codex/models',
    cache_ttl_seconds: FIVE_MINUTES,
    cached_input_ratio: 0.1,
  },
  {
    name: 'gemini',
    display_name: 'Google Gemini',
    description: "Gemini through Google's OpenAI-compatible endpoint.",
    base_url: 'https://generativelanguage.googleapis.com/v1beta/openai',
    adapter: 'gemini',
    auth_modes: ['api_key'],
    requires_key: true,
    api_key_env: 'GEMINI_API_KEY',
    docs_url: 'https://ai.google.dev/gemini-api/docs/openai',
    cache_ttl_seconds: FIVE_MINUTES,
    cached_input_ratio: 0.1,
  },
  {
    name: 'anthropic',
    display_name: 'Anthropic',
    description: 'Claude models through the Anthropic Messages API (translated from and to OpenAI chat).',
    base_url: 'https://api.anthropic.com/v1',
    adapter: 'anthropic',
    auth_modes: ['api_key'],
    requires_key: true,
    api_key_env: 'ANTHROPIC_API_KEY',
    docs_url: 'https://docs.anthropic.com/en/api/messages',
    cache_ttl_seconds: FIVE_MINUTES,
    cached_input_ratio: 0.1,
    cache_write_ratio: 1.25,
  },
  {
    name: 'openrouter',
    display_name: 'OpenRouter',
    description: 'OpenRouter, one key for many vendors.',
    base_url: 'https://openrouter.ai/api/v1',
    adapter: 'openai',
    auth_modes: ['api_key'],
    requires_key: true,
    api_key_env: 'OPENROUTER_API_KEY',
    docs_url: 'https://openrouter.ai/docs',
    cache_ttl_seconds: FIVE_MINUTES,
  },
  {
    name: 'nvidia',
    display_name: 'NVIDIA NIM',
    description: 'NVIDIA API catalog (build.nvidia.com) hosted models.',
    base_url: 'https://integrate.api.nvidia.com/v1',
    adapter: 'openai',
    auth_modes: ['api_key'],
    requires_key: true,
    api_key_env: 'NVIDIA_API_KEY',
    docs_url: 'https://docs.api.nvidia.com/',
  },
  {
    name: 'github',
    display_name: 'GitHub Models',
    description: 'GitHub Models inference, with a GitHub token that has the models scope.',
    base_url: 'https://models.github.ai/inference',
    adapter: 'github',
    auth_modes: ['api_key'],
    requires_key: true,
    api_key_env: 'GITHUB_TOKEN',
    models_url: 'https://models.github.ai/catalog/models',
    docs_url: 'https://docs.github.com/en/rest/models/inference',
  },
  {
    name: 'ollama',
    display_name: 'Ollama',
    description: 'A local Ollama server (no key).',
    base_url: 'http://localhost:11434/v1',
    adapter: 'openai',
    auth_modes: ['api_key'],
    requires_key: false,
    docs_url: 'https://github.com/ollama/ollama/blob/main/docs/openai.md',
  },
  {
    name: 'openai-compatible',
    display_name: 'OpenAI-compatible server',
    description: 'Any server that speaks the OpenAI API (vLLM, LM Studio, llama.cpp, LiteLLM…); give --base-url.',
    base_url: 'http://localhost:8000/v1',
    adapter: 'openai',
    auth_modes: ['api_key', 'passthrough'],
    requires_key: false,
  },
]
