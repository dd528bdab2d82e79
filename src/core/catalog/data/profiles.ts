/**
 * Built-in routing profiles. Each tier lists models from several providers in order of preference: the compiler
 * keeps those that the user's accounts serve (and that pass the guardrails), so every profile still makes sense with
 * a single account. The lists below are named by what they are for and shared between profiles.
 */
import type {BuiltinProfile} from '../schema.js'

// ── Shared lists (preference order) ─────────────────────────────────────────────────────────────────────────────

/** Tiny, cheap, fast models for short easy requests. */
const NANO = [
  'openai/gpt-5-nano',
  'gemini/gemini-2.5-flash-lite',
  'openai/gpt-4o-mini',
  'openai-codex/gpt-5.1-codex-mini',
  'anthropic/claude-haiku-4.5',
  'openrouter/meta-llama/llama-3.3-70b-instruct',
  'github/openai/gpt-4o-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'ollama/llama3.1:8b',
]

/** Cheap capable models: the everyday workhorses. */
const MINI = [
  'openai/gpt-5-mini',
  'gemini/gemini-2.5-flash',
  'anthropic/claude-haiku-4.5',
  'openai-codex/gpt-5.1-codex-mini',
  'openrouter/openai/gpt-5-mini',
  'openrouter/google/gemini-2.5-flash',
  'github/openai/gpt-4.1-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'ollama/qwen3:8b',
]

/** Strong general models. */
const STRONG = [
  'openai/gpt-5.1',
  'anthropic/claude-sonnet-4.5',
  'gemini/gemini-3-flash-preview',
  'openai-codex/gpt-5.2',
  'openrouter/anthropic/claude-sonnet-4.5',
  'openrouter/moonshotai/kimi-k2',
  'github/openai/gpt-4.1',
  'nvidia/nvidia/llama-3.1-nemotron-ultra-253b-v1',
  'ollama/gpt-oss:20b',
]

/** The best each provider has. */
const FRONTIER = [
  'openai/gpt-5.2',
  'anthropic/claude-opus-4.5',
  'openai-codex/gpt-5.3',
  'gemini/gemini-3-pro-preview',
  'openrouter/anthropic/claude-opus-4.5',
  'openrouter/openai/gpt-5',
  'github/openai/gpt-5-mini',
  'nvidia/deepseek-ai/deepseek-r1',
  'openai/gpt-5.1',
  'anthropic/claude-sonnet-4.5',
  'gemini/gemini-2.5-pro',
  'openai-codex/gpt-5.2',
  'ollama/gpt-oss:20b',
]

/** Quick code edits and completions. */
const CODE_FAST = [
  'openai-codex/gpt-5.3-codex-spark',
  'openai/gpt-5-mini',
  'anthropic/claude-haiku-4.5',
  'openai-codex/gpt-5.1-codex-mini',
  'gemini/gemini-2.5-flash',
  'openrouter/x-ai/grok-code-fast-1',
  'openrouter/qwen/qwen3-coder',
  'github/openai/gpt-4.1-mini',
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'ollama/qwen2.5-coder:7b',
]

/**
 * Cheap coding models for medium work (a small fix, a rename, the steps of an agent on such a task): medium-size models
 * whose catalog quality, with the coding bonus, is well above the 0.7 a medium request needs (gpt-5-mini 0.88, Haiku
 * 0.87, codex-mini 0.84), at a fifth to a twelfth of the strong coding models' prices.
 */
const CODE_MID = [
  'openai/gpt-5-mini',
  'anthropic/claude-haiku-4.5',
  'openai-codex/gpt-5.1-codex-mini',
  'gemini/gemini-2.5-flash',
  'openrouter/qwen/qwen3-coder',
  'openrouter/x-ai/grok-code-fast-1',
  'github/openai/gpt-4.1',
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'ollama/qwen2.5-coder:7b',
]

/** Solid coding models for real changes. */
const CODE_STRONG = [
  'openai-codex/gpt-5.2-codex',
  'anthropic/claude-sonnet-4.5',
  'openai/gpt-5.1',
  'gemini/gemini-2.5-pro',
  'openrouter/anthropic/claude-sonnet-4.5',
  'openrouter/qwen/qwen3-coder',
  'github/openai/gpt-4.1',
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'ollama/qwen2.5-coder:7b',
]

/** The best coding models, for hard multi-file work. */
const CODE_TOP = [
  'openai-codex/gpt-5.3-codex',
  'anthropic/claude-opus-4.5',
  'openai/gpt-5.2',
  'gemini/gemini-3-pro-preview',
  'openrouter/anthropic/claude-opus-4.5',
  'openrouter/openai/gpt-5',
  'github/openai/gpt-4.1',
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'openai-codex/gpt-5.2-codex',
  'anthropic/claude-sonnet-4.5',
  'openai/gpt-5.1',
  'gemini/gemini-2.5-pro',
  'ollama/gpt-oss:20b',
]

/** Cheap reasoning models. */
const REASON_LIGHT = [
  'openai/gpt-5-mini',
  'openai/o4-mini',
  'gemini/gemini-2.5-flash',
  'anthropic/claude-haiku-4.5',
  'openai-codex/gpt-5.1-codex-mini',
  'openrouter/deepseek/deepseek-chat-v3.1',
  'github/openai/gpt-5-mini',
  'nvidia/nvidia/llama-3.1-nemotron-ultra-253b-v1',
  'ollama/qwen3:8b',
]

/** Strong reasoning models. */
const REASON_STRONG = [
  'openai/gpt-5.1',
  'gemini/gemini-2.5-pro',
  'anthropic/claude-sonnet-4.5',
  'openai-codex/gpt-5.2',
  'openrouter/google/gemini-2.5-pro',
  'openrouter/deepseek/deepseek-chat-v3.1',
  'github/deepseek/deepseek-r1',
  'nvidia/deepseek-ai/deepseek-r1',
  'ollama/gpt-oss:20b',
]

/** The deepest thinkers. */
const REASON_TOP = [
  'openai/gpt-5.2',
  'openai-codex/gpt-5.3',
  'anthropic/claude-opus-4.5',
  'gemini/gemini-3-pro-preview',
  'openrouter/anthropic/claude-opus-4.5',
  'openrouter/openai/gpt-5',
  'github/deepseek/deepseek-r1',
  'nvidia/deepseek-ai/deepseek-r1',
  'openai/gpt-5.1',
  'anthropic/claude-sonnet-4.5',
  'gemini/gemini-2.5-pro',
  'openai-codex/gpt-5.2',
  'ollama/gpt-oss:20b',
]

/** Cheap models that read images. */
const VISION_LIGHT = [
  'gemini/gemini-2.5-flash-lite',
  'openai/gpt-5-nano',
  'openai/gpt-4o-mini',
  'openai-codex/gpt-5.1-codex-mini',
  'anthropic/claude-haiku-4.5',
  'openrouter/google/gemini-2.5-flash',
  'github/openai/gpt-4o-mini',
  'nvidia/meta/llama-4-maverick-17b-128e-instruct',
  'ollama/llama3.2-vision',
]

/** Models that read images well. */
const VISION_STRONG = [
  'gemini/gemini-2.5-flash',
  'openai/gpt-5-mini',
  'anthropic/claude-sonnet-4.5',
  'openai-codex/gpt-5.2',
  'openrouter/google/gemini-2.5-flash',
  'github/openai/gpt-4.1',
  'github/meta/llama-4-scout-17b-16e-instruct',
  'nvidia/meta/llama-4-maverick-17b-128e-instruct',
  'ollama/llama3.2-vision',
]

/** The best image understanding. */
const VISION_TOP = [
  'gemini/gemini-3-pro-preview',
  'openai/gpt-5.2',
  'anthropic/claude-opus-4.5',
  'openai-codex/gpt-5.3',
  'openrouter/google/gemini-2.5-pro',
  'github/openai/gpt-4.1',
  'nvidia/meta/llama-4-maverick-17b-128e-instruct',
  'gemini/gemini-2.5-pro',
  'openai/gpt-5.1',
  'anthropic/claude-sonnet-4.5',
  'openai-codex/gpt-5.2',
  'ollama/llama3.2-vision',
]

/** Precise format and instruction following without long thinking. */
const INSTRUCT_LIGHT = [
  'openai/gpt-4.1-mini',
  'gemini/gemini-2.5-flash-lite',
  'openai/gpt-5-nano',
  'anthropic/claude-haiku-4.5',
  'openai-codex/gpt-5.1-codex-mini',
  'openrouter/meta-llama/llama-3.3-70b-instruct',
  'github/openai/gpt-4.1-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'ollama/llama3.1:8b',
]

const INSTRUCT_STRONG = [
  'openai/gpt-4.1',
  'anthropic/claude-sonnet-4.5',
  'gemini/gemini-2.5-flash',
  'openai-codex/gpt-5.2',
  'openrouter/anthropic/claude-sonnet-4.5',
  'openrouter/moonshotai/kimi-k2',
  'github/openai/gpt-4.1',
  'nvidia/nvidia/llama-3.1-nemotron-ultra-253b-v1',
  'ollama/qwen3:8b',
]

/** Cheapest first: free and local models, then the cheapest paid ones. */
const FREE_FIRST_LIGHT = [
  'ollama/llama3.1:8b',
  'github/openai/gpt-4o-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'openai/gpt-5-nano',
  'gemini/gemini-2.5-flash-lite',
  'openrouter/meta-llama/llama-3.3-70b-instruct',
  'openai/gpt-4o-mini',
  'openai-codex/gpt-5.1-codex-mini',
  'anthropic/claude-haiku-4.5',
]

const FREE_FIRST_MID = [
  'ollama/qwen3:8b',
  'github/openai/gpt-4.1-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'gemini/gemini-2.5-flash-lite',
  'openai/gpt-5-mini',
  'openrouter/deepseek/deepseek-chat-v3.1',
  'openai-codex/gpt-5.1-codex-mini',
  'gemini/gemini-2.5-flash',
  'anthropic/claude-haiku-4.5',
]

const FREE_FIRST_STRONG = [
  'ollama/gpt-oss:20b',
  'github/openai/gpt-4.1',
  'nvidia/nvidia/llama-3.1-nemotron-ultra-253b-v1',
  'openai/gpt-5-mini',
  'openrouter/deepseek/deepseek-chat-v3.1',
  'gemini/gemini-2.5-flash',
  'openai-codex/gpt-5.1-codex-mini',
  'anthropic/claude-haiku-4.5',
]

const FREE_FIRST_CODE = [
  'ollama/qwen2.5-coder:7b',
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'github/openai/gpt-4.1-mini',
  'openrouter/qwen/qwen3-coder',
  'openai/gpt-5-mini',
  'openai-codex/gpt-5.1-codex-mini',
  'gemini/gemini-2.5-flash',
  'anthropic/claude-haiku-4.5',
]

const FREE_FIRST_CODE_STRONG = [
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'github/openai/gpt-4.1',
  'ollama/gpt-oss:20b',
  'openrouter/qwen/qwen3-coder',
  'openai/gpt-5-mini',
  'openai-codex/gpt-5.1-codex-mini',
  'openrouter/x-ai/grok-code-fast-1',
  'anthropic/claude-haiku-4.5',
  'gemini/gemini-2.5-flash',
]

const FREE_FIRST_REASON = [
  'nvidia/deepseek-ai/deepseek-r1',
  'github/deepseek/deepseek-r1',
  'ollama/qwen3:8b',
  'openrouter/deepseek/deepseek-chat-v3.1',
  'openai/gpt-5-mini',
  'gemini/gemini-2.5-flash',
  'openai-codex/gpt-5.1-codex-mini',
  'anthropic/claude-haiku-4.5',
]

const FREE_FIRST_VISION = [
  'ollama/llama3.2-vision',
  'github/openai/gpt-4o-mini',
  'nvidia/meta/llama-4-maverick-17b-128e-instruct',
  'gemini/gemini-2.5-flash-lite',
  'openai/gpt-5-nano',
  'openrouter/google/gemini-2.5-flash',
  'openai-codex/gpt-5.1-codex-mini',
  'anthropic/claude-haiku-4.5',
]

/** Lowest time to an answer. */
const FAST_LIGHT = [
  'gemini/gemini-2.5-flash-lite',
  'openai/gpt-4o-mini',
  'openai/gpt-4.1-mini',
  'openai-codex/gpt-5.3-codex-spark',
  'anthropic/claude-haiku-4.5',
  'openrouter/meta-llama/llama-3.3-70b-instruct',
  'github/openai/gpt-4o-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'ollama/llama3.2',
]

const FAST_MID = [
  'anthropic/claude-haiku-4.5',
  'gemini/gemini-2.5-flash',
  'openai/gpt-4.1-mini',
  'openai-codex/gpt-5.3-codex-spark',
  'openrouter/google/gemini-2.5-flash',
  'github/openai/gpt-4.1-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'ollama/llama3.1:8b',
]

const FAST_STRONG = [
  'openai/gpt-4.1',
  'gemini/gemini-3-flash-preview',
  'anthropic/claude-sonnet-4.5',
  'openai-codex/gpt-5.3-codex-spark',
  'openrouter/anthropic/claude-sonnet-4.5',
  'github/openai/gpt-4.1',
  'nvidia/meta/llama-4-maverick-17b-128e-instruct',
  'ollama/llama3.1:8b',
]

const FAST_CODE = [
  'openai-codex/gpt-5.3-codex-spark',
  'anthropic/claude-haiku-4.5',
  'openai/gpt-4.1-mini',
  'gemini/gemini-2.5-flash',
  'openrouter/x-ai/grok-code-fast-1',
  'github/openai/gpt-4.1-mini',
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'ollama/qwen2.5-coder:7b',
]

const FAST_CODE_STRONG = [
  'openai-codex/gpt-5.3-codex-spark',
  'anthropic/claude-sonnet-4.5',
  'openai/gpt-4.1',
  'gemini/gemini-3-flash-preview',
  'openrouter/x-ai/grok-code-fast-1',
  'github/openai/gpt-4.1',
  'nvidia/qwen/qwen3-coder-480b-a35b-instruct',
  'ollama/qwen2.5-coder:7b',
]

const FAST_REASON = [
  'gemini/gemini-2.5-flash',
  'anthropic/claude-haiku-4.5',
  'openai/o4-mini',
  'openai-codex/gpt-5.3-codex-spark',
  'openrouter/google/gemini-2.5-flash',
  'github/openai/gpt-5-mini',
  'nvidia/nvidia/llama-3.1-nemotron-ultra-253b-v1',
  'ollama/qwen3:8b',
]

const FAST_VISION = [
  'gemini/gemini-2.5-flash-lite',
  'openai/gpt-4o-mini',
  'anthropic/claude-haiku-4.5',
  'gemini/gemini-2.5-flash',
  'openrouter/google/gemini-2.5-flash',
  'github/openai/gpt-4o-mini',
  'nvidia/meta/llama-4-maverick-17b-128e-instruct',
  'ollama/llama3.2-vision',
]

const FALLBACKS_AUTO = [
  'openai/gpt-5-mini',
  'gemini/gemini-2.5-flash',
  'anthropic/claude-haiku-4.5',
  'openai-codex/gpt-5.2',
  'openrouter/openai/gpt-5-mini',
  'github/openai/gpt-4.1-mini',
  'nvidia/meta/llama-3.3-70b-instruct',
  'ollama/llama3.1:8b',
]

/** One embeddings and one image generation model per provider that has them, for `model: auto` on those endpoints. */
const ENDPOINT_MODELS: BuiltinProfile['endpoint_models'] = {
  embeddings: [
    'openai/text-embedding-3-small',
    'gemini/gemini-embedding-001',
    'github/openai/text-embedding-3-small',
    'ollama/nomic-embed-text',
  ],
  image_generation: ['openai/gpt-image-1'],
}

/** Local and free embeddings first. */
const FREE_FIRST_EMBEDDINGS = [
  'ollama/nomic-embed-text',
  'github/openai/text-embedding-3-small',
  'openai/text-embedding-3-small',
  'gemini/gemini-embedding-001',
]

/**
 * The names coding agents and SDKs send on their own (Claude Code's `claude-opus-4-8`, `claude-haiku-4-5-20251001`;
 * Codex CLI's `gpt-5.3-codex`), often newer than the catalog: when a name matches no configured model, the router
 * chooses. A name the config does know is served by that model.
 */
const CLIENT_MODEL_ALIASES: BuiltinProfile['model_aliases'] = {
  'claude-*': 'auto',
  'gpt-*': 'auto',
  'codex-*': 'auto',
  'o1*': 'auto',
  'o3*': 'auto',
  'o4*': 'auto',
  'gemini-*': 'auto',
}

/**
 * The cost-minded profiles (`auto`, `cost`) let a warm session move down once a turn needs less, when moving costs at
 * least 30 % less than staying over the turns the session is expected still to run (docs/routing.md, "Sessions"): the
 * hard part of a conversation does not keep the rest of it on the dearest model. The others keep the default: a warm
 * session never moves down.
 */
const SAVING_SESSIONS: BuiltinProfile['session'] = {allow_downgrade: true, downgrade_margin: 0.3}

export const PROFILES: BuiltinProfile[] = [
  {
    name: 'auto',
    description:
      'The default. Scales the model with the request: cheap fast models for easy prompts, strong ones for hard ' +
      'prompts, coding and reasoning specialists for code and thinking. Good cost per answer without visible loss.',
    default_model: 'openai/gpt-5-mini',
    task_routes: {
      general: {low: NANO, medium: MINI, high: STRONG, xhigh: FRONTIER, default: MINI},
      coding: {low: CODE_FAST, medium: CODE_MID, high: CODE_STRONG, xhigh: CODE_TOP, default: CODE_STRONG},
      thinking: {
        low: REASON_LIGHT,
        medium: REASON_LIGHT,
        high: REASON_STRONG,
        xhigh: REASON_TOP,
        default: REASON_STRONG,
      },
      instruction_following: {
        low: INSTRUCT_LIGHT,
        medium: INSTRUCT_LIGHT,
        high: INSTRUCT_STRONG,
        xhigh: FRONTIER,
        default: INSTRUCT_STRONG,
      },
      image: {low: VISION_LIGHT, medium: VISION_STRONG, high: VISION_STRONG, xhigh: VISION_TOP, default: VISION_STRONG},
    },
    fallback_models: FALLBACKS_AUTO,
    endpoint_models: ENDPOINT_MODELS,
    model_aliases: CLIENT_MODEL_ALIASES,
    session: SAVING_SESSIONS,
  },
  {
    name: 'balanced',
    description:
      'Mid-range models for everything below the hardest tier: steadier quality than `auto` on easy prompts at a ' +
      'moderate price, frontier models only for xhigh.',
    default_model: 'openai/gpt-5-mini',
    task_routes: {
      general: {low: MINI, medium: MINI, high: STRONG, xhigh: FRONTIER, default: MINI},
      coding: {low: CODE_FAST, medium: CODE_STRONG, high: CODE_STRONG, xhigh: CODE_TOP, default: CODE_STRONG},
      thinking: {
        low: REASON_LIGHT,
        medium: REASON_STRONG,
        high: REASON_STRONG,
        xhigh: REASON_TOP,
        default: REASON_STRONG,
      },
      instruction_following: {
        low: INSTRUCT_LIGHT,
        medium: INSTRUCT_STRONG,
        high: INSTRUCT_STRONG,
        xhigh: FRONTIER,
        default: INSTRUCT_STRONG,
      },
      image: {
        low: VISION_STRONG,
        medium: VISION_STRONG,
        high: VISION_STRONG,
        xhigh: VISION_TOP,
        default: VISION_STRONG,
      },
    },
    fallback_models: FALLBACKS_AUTO,
    endpoint_models: ENDPOINT_MODELS,
    model_aliases: CLIENT_MODEL_ALIASES,
  },
  {
    name: 'cost',
    description:
      'Cheapest first: local and free-tier models (Ollama, GitHub Models, NVIDIA), then the cheapest paid models. ' +
      'Strong models only where the request is hard enough to need them.',
    default_model: 'ollama/llama3.1:8b',
    task_routes: {
      general: {
        low: FREE_FIRST_LIGHT,
        medium: FREE_FIRST_MID,
        high: FREE_FIRST_STRONG,
        xhigh: FREE_FIRST_STRONG,
        default: FREE_FIRST_MID,
      },
      coding: {
        low: FREE_FIRST_CODE,
        medium: FREE_FIRST_CODE,
        high: FREE_FIRST_CODE_STRONG,
        xhigh: FREE_FIRST_CODE_STRONG,
        default: FREE_FIRST_CODE,
      },
      thinking: {
        low: FREE_FIRST_MID,
        medium: FREE_FIRST_REASON,
        high: FREE_FIRST_REASON,
        xhigh: FREE_FIRST_REASON,
        default: FREE_FIRST_REASON,
      },
      instruction_following: {
        low: FREE_FIRST_LIGHT,
        medium: FREE_FIRST_MID,
        high: FREE_FIRST_STRONG,
        xhigh: FREE_FIRST_STRONG,
        default: FREE_FIRST_MID,
      },
      image: {
        low: FREE_FIRST_VISION,
        medium: FREE_FIRST_VISION,
        high: FREE_FIRST_VISION,
        xhigh: VISION_STRONG,
        default: FREE_FIRST_VISION,
      },
    },
    fallback_models: [
      'ollama/llama3.1:8b',
      'github/openai/gpt-4o-mini',
      'nvidia/meta/llama-3.3-70b-instruct',
      'gemini/gemini-2.5-flash-lite',
      'openai/gpt-5-nano',
      'openrouter/meta-llama/llama-3.3-70b-instruct',
      'openai-codex/gpt-5.1-codex-mini',
      'anthropic/claude-haiku-4.5',
    ],
    endpoint_models: {...ENDPOINT_MODELS, embeddings: FREE_FIRST_EMBEDDINGS},
    model_aliases: CLIENT_MODEL_ALIASES,
    session: SAVING_SESSIONS,
  },
  {
    name: 'latency',
    description:
      'Fastest answer first: non-reasoning and flash-class models, small local models, Codex-Spark for code. ' +
      'Suits interactive tools and autocomplete; reasoning models only for xhigh.',
    default_model: 'gemini/gemini-2.5-flash-lite',
    task_routes: {
      general: {low: FAST_LIGHT, medium: FAST_MID, high: FAST_STRONG, xhigh: STRONG, default: FAST_MID},
      coding: {low: FAST_CODE, medium: FAST_CODE, high: FAST_CODE_STRONG, xhigh: CODE_STRONG, default: FAST_CODE},
      thinking: {low: FAST_REASON, medium: FAST_REASON, high: FAST_REASON, xhigh: REASON_STRONG, default: FAST_REASON},
      instruction_following: {low: FAST_LIGHT, medium: FAST_MID, high: FAST_STRONG, xhigh: STRONG, default: FAST_MID},
      image: {low: FAST_VISION, medium: FAST_VISION, high: FAST_VISION, xhigh: VISION_STRONG, default: FAST_VISION},
    },
    fallback_models: [
      'gemini/gemini-2.5-flash-lite',
      'openai/gpt-4.1-mini',
      'anthropic/claude-haiku-4.5',
      'openai-codex/gpt-5.3-codex-spark',
      'openrouter/google/gemini-2.5-flash',
      'github/openai/gpt-4o-mini',
      'nvidia/meta/llama-3.3-70b-instruct',
      'ollama/llama3.2',
    ],
    endpoint_models: ENDPOINT_MODELS,
    model_aliases: CLIENT_MODEL_ALIASES,
  },
  {
    name: 'quality',
    description:
      'Best answer first: strong models from the medium tier up and frontier models for high and xhigh, whatever ' +
      'they cost. Cheap models only for the easiest prompts.',
    default_model: 'openai/gpt-5.1',
    task_routes: {
      general: {low: MINI, medium: STRONG, high: FRONTIER, xhigh: FRONTIER, default: STRONG},
      coding: {low: CODE_STRONG, medium: CODE_STRONG, high: CODE_TOP, xhigh: CODE_TOP, default: CODE_TOP},
      thinking: {low: REASON_STRONG, medium: REASON_STRONG, high: REASON_TOP, xhigh: REASON_TOP, default: REASON_TOP},
      instruction_following: {
        low: INSTRUCT_STRONG,
        medium: INSTRUCT_STRONG,
        high: FRONTIER,
        xhigh: FRONTIER,
        default: INSTRUCT_STRONG,
      },
      image: {low: VISION_STRONG, medium: VISION_STRONG, high: VISION_TOP, xhigh: VISION_TOP, default: VISION_TOP},
    },
    fallback_models: [
      'openai/gpt-5.1',
      'anthropic/claude-sonnet-4.5',
      'gemini/gemini-2.5-pro',
      'openai-codex/gpt-5.2',
      'openrouter/anthropic/claude-sonnet-4.5',
      'github/openai/gpt-4.1',
      'nvidia/nvidia/llama-3.1-nemotron-ultra-253b-v1',
      'ollama/gpt-oss:20b',
    ],
    endpoint_models: ENDPOINT_MODELS,
    model_aliases: CLIENT_MODEL_ALIASES,
  },
]
