/** Hand-built configs and classifications for routing tests (selection is tested apart from the classifier). */
import {RawConfigSchema, type RawConfigInput, type RuntimeConfig} from '../../src/core/config/schema.js'
import {RoutingError} from '../../src/core/errors.js'
import type {Classification, Requirements} from '../../src/core/routing/schema.js'

/** Requirements of a short plain chat request (500 input tokens, no output cap). */
export const REQUIREMENTS: Requirements = {
  vision: false,
  tools: false,
  json_mode: false,
  streaming: false,
  embeddings: false,
  image_generation: false,
  input_tokens: 500,
  output_tokens: null,
}

/** The `RoutingError` that `fn` throws (fails the test when it throws nothing or something else). */
export function routingError(fn: () => unknown): RoutingError {
  try {
    fn()
  } catch (error) {
    if (error instanceof RoutingError) return error
    throw error
  }
  throw new Error('expected a RoutingError')
}

/** A classification with sensible defaults: a short general request of medium complexity. */
export function classification(
  overrides: Partial<Omit<Classification, 'requirements'>> & {requirements?: Partial<Requirements>} = {},
): Classification {
  const {requirements, ...rest} = overrides
  return {
    task: 'general',
    complexity: 'medium',
    complexity_score: 1.5,
    confidence: 0.8,
    signals: [{name: 'test_signal', target: 'general', weight: 1, detail: 'hand-built'}],
    ...rest,
    requirements: {...REQUIREMENTS, ...requirements},
  }
}

/** A classifier that always answers `c` (passed as `options.classify`). */
export function fixed(c: Classification): () => Classification {
  return () => c
}

const CHAT = ['tools', 'json_mode', 'streaming'] as const

/**
 * Two providers (`acme`, `zen`) with fully described models, so that tests do not depend on catalog prices. Every
 * model is served by an account with an empty `models` list of its provider.
 */
export const BASE_CONFIG: RawConfigInput = {
  default_model: 'acme/mid',
  models: {
    'acme/small': {
      tier: 'small',
      quality: 0.6,
      cost_input_per_1k: 0.0001,
      cost_output_per_1k: 0.0004,
      context_window: 128_000,
      max_output_tokens: 16_000,
      capabilities: [...CHAT],
      latency_ms: 800,
      failure_rate: 0.01,
      aliases: ['tiny'],
    },
    'acme/mid': {
      tier: 'medium',
      quality: 0.75,
      cost_input_per_1k: 0.0004,
      cost_output_per_1k: 0.0016,
      context_window: 200_000,
      max_output_tokens: 32_000,
      capabilities: ['vision', ...CHAT],
      latency_ms: 1500,
      failure_rate: 0.01,
    },
    'acme/large': {
      tier: 'large',
      quality: 0.86,
      cost_input_per_1k: 0.00125,
      cost_output_per_1k: 0.01,
      context_window: 400_000,
      max_output_tokens: 128_000,
      capabilities: ['vision', 'reasoning', ...CHAT],
      task_affinity: ['coding', 'thinking'],
      latency_ms: 3500,
      failure_rate: 0.01,
    },
    'zen/large': {
      tier: 'large',
      quality: 0.86,
      cost_input_per_1k: 0.003,
      cost_output_per_1k: 0.015,
      context_window: 200_000,
      max_output_tokens: 64_000,
      capabilities: ['vision', 'reasoning', ...CHAT],
      task_affinity: ['coding'],
      latency_ms: 3000,
      failure_rate: 0.01,
      aliases: ['zenny'],
    },
    'zen/embed': {
      cost_input_per_1k: 0.00002,
      cost_output_per_1k: 0,
      context_window: 8192,
      capabilities: ['embeddings'],
    },
  },
  accounts: [
    {name: 'acme-main', provider: 'acme', base_url: 'http://127.0.0.1:9/v1'},
    {name: 'zen-main', provider: 'zen', base_url: 'http://127.0.0.1:9/v1'},
  ],
  task_routes: {
    general: {low: ['acme/small'], medium: ['acme/mid', 'acme/small'], high: ['acme/large']},
    coding: {medium: ['acme/mid'], high: ['acme/large', 'zen/large'], default: ['acme/mid']},
    image: {default: ['acme/mid']},
  },
  fallback_models: ['acme/large', 'acme/mid'],
}

/** `BASE_CONFIG` with `overrides` (shallow, per top-level key), parsed like a loaded config. */
export function makeConfig(overrides: Partial<RawConfigInput> = {}): RuntimeConfig {
  return RawConfigSchema.parse({...BASE_CONFIG, ...overrides})
}
