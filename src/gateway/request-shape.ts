/**
 * The shape of each API's required fields, checked before a request is routed, so that `"messages": "hi"` or
 * `"stream": "yes"` gets a clear 400 naming the field instead of being forwarded (or silently read as `false`).
 * Only what the APIs themselves require is checked, with their own error messages and codes
 * (`missing_required_parameter`, `invalid_type`); everything else goes through to the provider as sent.
 *
 * References: https://platform.openai.com/docs/api-reference/chat/create, …/responses/create, …/completions/create,
 * …/embeddings/create, …/images/create, and https://docs.anthropic.com/en/api/messages.
 */
import {isObject} from '../core/is-object.js'
import type {Endpoint} from '../core/routing/schema.js'
import {ERRORS} from './errors.js'

interface FieldRule {
  field: string
  required: boolean
  /** What the API accepts, as its error message says it ("an array of objects"). */
  expected: string
  valid: (value: unknown) => boolean
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isInteger = (value: unknown): boolean => Number.isInteger(value)
const everyItem = (value: unknown, test: (item: unknown) => boolean): boolean =>
  Array.isArray(value) && value.every(test)
/** A message: an object with a string `role`. */
const isMessage = (value: unknown): boolean => isObject(value) && isString((value as {role?: unknown}).role)
/** A prompt or an embedding input: text, texts, token ids, or lists of token ids. */
const isTextOrTokens = (value: unknown): boolean =>
  isString(value) ||
  everyItem(value, isString) ||
  everyItem(value, isInteger) ||
  everyItem(value, (item) => everyItem(item, isInteger))

const STREAM: FieldRule = {
  field: 'stream',
  required: false,
  expected: 'a boolean',
  valid: (v) => v === null || typeof v === 'boolean',
}
const MESSAGES: FieldRule = {
  field: 'messages',
  required: true,
  expected: 'an array of message objects with a string "role"',
  valid: (v) => everyItem(v, isMessage),
}

/** The rules of each endpoint; a passthrough is the provider's business. */
const RULES: Record<Endpoint, readonly FieldRule[]> = {
  'chat.completions': [MESSAGES, STREAM],
  responses: [
    {field: 'input', required: false, expected: 'a string or an array', valid: (v) => isString(v) || Array.isArray(v)},
    STREAM,
  ],
  completions: [
    {field: 'prompt', required: true, expected: 'a string, an array of strings, or token ids', valid: isTextOrTokens},
    STREAM,
  ],
  embeddings: [
    {field: 'input', required: true, expected: 'a string, an array of strings, or token ids', valid: isTextOrTokens},
  ],
  'images.generations': [{field: 'prompt', required: true, expected: 'a string', valid: isString}, STREAM],
  messages: [
    MESSAGES,
    {field: 'max_tokens', required: false, expected: 'an integer', valid: isInteger},
    {
      field: 'system',
      required: false,
      expected: 'a string or an array of text blocks',
      valid: (v) => isString(v) || everyItem(v, isObject),
    },
    STREAM,
  ],
  passthrough: [],
}

/** Throws a 400 naming the first field of `body` that the endpoint's API would refuse. */
export function checkRequestShape(endpoint: Endpoint, body: Record<string, unknown>): void {
  for (const rule of RULES[endpoint]) {
    const value = body[rule.field]
    if (value === undefined) {
      if (!rule.required) continue
      throw ERRORS.missingParameter(rule.field)
    }
    if (!rule.valid(value)) {
      throw ERRORS.invalidType(rule.field, rule.expected, describe(value))
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array with other items'
  const type = typeof value
  return type === 'object' ? 'an object' : type === 'string' ? 'a string' : type === 'number' ? 'a number' : `a ${type}`
}
