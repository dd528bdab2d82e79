/**
 * The router-only fields of a request body: what they are, how they are read, and which the gateway strips before
 * forwarding. Neither the OpenAI chat API nor the Responses API has any of them, and OpenAI rejects unknown fields, so
 * the gateway must remove exactly `ROUTER_REQUEST_FIELDS` from every body it forwards.
 *
 * - `provider`: OpenRouter-style provider preferences (`only`, `ignore`, `order`, `sort`, `allow_fallbacks`,
 *   `require_parameters`, `max_price`).
 * - `allowed_models`: model key patterns with `*` wildcards.
 * - `models`: OpenRouter-style explicit chain, honoured as such: the models are tried in order after `model` (or
 *   instead of it when `model` is `auto` or missing).
 * - `router`: this router's extension, `{task?, complexity?}` to force the classification.
 */
import {RoutingError} from '../errors.js'
import {type RoutingRequestFields, RoutingRequestFieldsSchema} from './schema.js'

/** Body fields that only the router reads; the gateway deletes these before forwarding a request upstream. */
export const ROUTER_REQUEST_FIELDS = ['provider', 'allowed_models', 'models', 'router'] as const
export type RouterRequestField = (typeof ROUTER_REQUEST_FIELDS)[number]
/** `ROUTER_REQUEST_FIELDS` as a set. */
export const ROUTER_REQUEST_FIELD_SET: ReadonlySet<string> = new Set(ROUTER_REQUEST_FIELDS)

export {AUTO_MODEL_NAMES} from '../catalog/model-key.js'
import {AUTO_MODEL_NAMES} from '../catalog/model-key.js'

const NONE: RoutingRequestFields = Object.freeze({})

/** The router-only fields of `body`, validated; a malformed field is a `RoutingError('invalid_request')` naming it. */
export function readRoutingFields(body: unknown): RoutingRequestFields {
  if (body === null || typeof body !== 'object') return NONE
  const record = body as Record<string, unknown>
  // Fast path: almost no request carries any of these.
  if (
    record.provider === undefined &&
    record.allowed_models === undefined &&
    record.models === undefined &&
    record.router === undefined
  ) {
    return NONE
  }
  const parsed = RoutingRequestFieldsSchema.safeParse({
    provider: record.provider ?? undefined,
    allowed_models: record.allowed_models ?? undefined,
    models: record.models ?? undefined,
    router: record.router ?? undefined,
  })
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const param = issue.path.map(String).join('.')
  throw new RoutingError('invalid_request', `Invalid \`${param}\`: ${issue.message}.`, {
    param,
    hint: HINTS[String(issue.path[0])],
  })
}

/** The `model` the client asked for, or null when it asked the router to choose (missing, empty, `auto`). */
export function requestedModelName(body: unknown): string | null {
  if (body === null || typeof body !== 'object') return null
  const model = (body as Record<string, unknown>).model
  if (model === undefined || model === null) return null
  if (typeof model !== 'string') {
    throw new RoutingError('invalid_request', '`model` must be a string.', {
      param: 'model',
      hint: 'Send a configured model key, or "auto" to let the router choose.',
    })
  }
  const trimmed = model.trim()
  return trimmed === '' || AUTO_MODEL_NAMES.has(trimmed.toLowerCase()) ? null : trimmed
}

const HINTS: Record<string, string> = {
  provider:
    'Expected {only?, ignore?, order?: provider names, sort?: "price"|"latency"|"throughput", allow_fallbacks?, require_parameters?: booleans}.',
  allowed_models: 'Expected a list of model key patterns, e.g. ["openai-codex/*", "*mini*"].',
  models: 'Expected a list of model keys, tried in order.',
  router: 'Expected {task?: general|coding|thinking|instruction_following|image, complexity?: low|medium|high|xhigh}.',
}
