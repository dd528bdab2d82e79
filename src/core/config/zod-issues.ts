/**
 * Turns zod issues into problems a user can act on: `unknown key \`foo\` (did you mean \`bar\`?)`,
 * `expected a number, got a string`, the allowed values of an enum, all with file, line, column and path.
 * Values from the document are never quoted back (they may be secrets), only their types.
 */
import type {z} from 'zod'

import type {Problem, ProblemLocation} from '../errors.js'
import {didYouMean, suggest} from '../suggest.js'
import {describeValue, valueAt, type DocPath} from './yaml.js'

/** Maps a document path to where it is (file, line, column, formatted path). */
export type Locator = (path: DocPath, options?: {key?: boolean}) => ProblemLocation

type Issue = z.core.$ZodIssue

/** One problem per zod issue (one per key for unknown keys), located in the document. */
export function issuesToProblems(
  issues: readonly Issue[],
  schema: z.ZodType,
  value: unknown,
  locate: Locator,
): Problem[] {
  const problems: Problem[] = []
  for (const issue of issues) problems.push(...issueToProblems(issue, [], schema, value, locate))
  return problems
}

function issueToProblems(issue: Issue, base: DocPath, root: z.ZodType, value: unknown, locate: Locator): Problem[] {
  const path = [...base, ...issue.path]
  const here = valueAt(value, path)
  const field = lastKey(path)
  const at = (options?: {key?: boolean}) => locate(path, options)
  const problem = (message: string, hint?: string, where: ProblemLocation = at()): Problem => ({
    ...where,
    message,
    ...(hint ? {hint} : {}),
    severity: 'error',
  })

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schemaAt(root, path))
      return issue.keys.map((key) => {
        const suggestions = suggest(key, allowed)
        const guess = didYouMean(suggestions)
        const hint =
          suggestions.length > 0
            ? `rename it to \`${suggestions[0]}\`, or remove it (allowed here: ${allowed.join(', ')})`
            : allowed.length > 0
              ? `remove it; allowed keys here: ${allowed.join(', ')}`
              : 'remove it'
        return problem(`unknown key \`${key}\`${guess ? `; ${guess}` : ''}`, hint, locate([...path, key], {key: true}))
      })
    }
    case 'invalid_type': {
      if (here === undefined) {
        const parent = path.slice(0, -1)
        const where = {...locate(parent), path: locate(path).path}
        return [problem(`missing required key \`${String(field)}\``, missingHint(String(field)), where)]
      }
      const expected = expectedWords(issue.expected, schemaAt(root, path))
      return [problem(`expected ${expected}, got ${describeValue(here)}`, typeHint(issue.expected, field))]
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v))
      if (allowed.length === 1) return [problem(`must be ${allowed[0]}`, `set \`${String(field)}: ${allowed[0]}\``)]
      const guess = typeof here === 'string' ? didYouMean(suggest(here, allowed)) : undefined
      return [
        problem(
          `invalid value for \`${String(field)}\`${guess ? `; ${guess}` : ''}`,
          `use one of: ${allowed.join(', ')}`,
        ),
      ]
    }
    case 'invalid_format': {
      if (issue.format === 'url') {
        return [problem('expected a URL', 'write a full URL with its scheme, e.g. `https://api.example.com/v1`')]
      }
      return [problem(`expected ${issue.format} format`)]
    }
    case 'too_small': {
      const minimum = Number(issue.minimum)
      if (issue.origin === 'string') return [problem('must not be empty')]
      if (issue.origin === 'array') return [problem(`needs at least ${minimum} ${minimum === 1 ? 'item' : 'items'}`)]
      return [problem(`must be at least ${minimum}${issue.inclusive === false ? ' (exclusive)' : ''}`)]
    }
    case 'too_big': {
      const maximum = Number(issue.maximum)
      if (issue.origin === 'string') return [problem(`must be at most ${maximum} characters`)]
      if (issue.origin === 'array') return [problem(`must have at most ${maximum} items`)]
      return [problem(`must be at most ${maximum}`)]
    }
    case 'invalid_union': {
      // The branch that got past the type check at this path is the one the user meant: report its issues.
      const deeper = issue.errors.filter((branch) =>
        branch.some((inner) => inner.path.length > 0 || inner.code !== 'invalid_type'),
      )
      if (deeper.length > 0) {
        return deeper[0].flatMap((inner) => issueToProblems(inner, path, root, value, locate))
      }
      const expectations = issue.errors
        .flatMap((branch) => branch.filter((inner) => inner.code === 'invalid_type'))
        .map((inner) => expectedWords((inner as z.core.$ZodIssueInvalidType).expected, undefined))
      const unique = [...new Set(expectations)]
      return [problem(`expected ${unique.join(' or ')}, got ${describeValue(here)}`, unionHint(path))]
    }
    case 'invalid_key':
      return [problem(`invalid key \`${String(field)}\``)]
    case 'invalid_element':
      return [problem('invalid entry')]
    case 'not_multiple_of':
      return [problem(`must be a multiple of ${String(issue.divisor)}`)]
    default:
      return [problem(issue.message)]
  }
}

function lastKey(path: DocPath): PropertyKey | undefined {
  return path.length === 0 ? undefined : path[path.length - 1]
}

function expectedWords(expected: string, schema: z.ZodType | undefined): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping',
    record: 'a mapping',
    null: 'nothing',
  }
  if (expected === 'number' && schema && isIntSchema(schema)) return 'a whole number'
  return words[expected] ?? expected
}

const FIELD_HINTS: Record<string, string> = {
  default_model: 'name the model used when no route matches, e.g. `default_model: openai/gpt-5-mini`',
  name: 'give the account a short unique name, e.g. `name: work`',
  provider:
    'name the provider, e.g. `provider: openai` (`router profile list` shows the profiles; see docs/configuration.md for providers)',
  base_url: 'give the API root, e.g. `base_url: https://api.openai.com/v1`',
}

function missingHint(field: string): string {
  return FIELD_HINTS[field] ?? `add \`${field}:\``
}

function typeHint(expected: string, field: PropertyKey | undefined): string | undefined {
  if (expected === 'array') return `write a list, e.g. \`${String(field ?? 'key')}: [a, b]\``
  if (expected === 'number') return 'write a plain number without quotes'
  if (expected === 'boolean') return 'write `true` or `false` without quotes'
  if (expected === 'string') return 'quote the value'
  if (expected === 'object') return 'indent `key: value` lines under it'
  return undefined
}

function unionHint(path: DocPath): string | undefined {
  if (path[0] === 'task_routes')
    return 'write a model key or a list of model keys, e.g. `low: [openai/gpt-5-nano, gemini/gemini-2.5-flash-lite]`'
  if (path.at(-1) === 'models')
    return 'write a mapping of model keys to metadata (`openai/gpt-5: {}`) or a list of model keys'
  return undefined
}

// ── Walking zod schemas (zod 4 internals: `_zod.def`) to list the keys allowed at a path ─────────────────────────────

interface Def {
  type: string
  shape?: Record<string, z.ZodType>
  innerType?: z.ZodType
  in?: z.ZodType
  element?: z.ZodType
  keyType?: z.ZodType
  valueType?: z.ZodType
  options?: z.ZodType[]
  entries?: Record<string, string>
  checks?: Array<{_zod: {def: {format?: string; check?: string}}}>
  format?: string
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as {_zod: {def: Def}})._zod.def
}

/** Skip wrappers (optional, default, nullable, pipe) down to the schema that parses the value. */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema
  for (let depth = 0; current && depth < 20; depth++) {
    const d = def(current)
    if (
      d.type === 'optional' ||
      d.type === 'default' ||
      d.type === 'nullable' ||
      d.type === 'prefault' ||
      d.type === 'readonly'
    ) {
      current = d.innerType
    } else if (d.type === 'pipe') current = d.in
    else return current
  }
  return current
}

/** The schema of the value at `path` (first matching union branch for unions). */
export function schemaAt(root: z.ZodType, path: DocPath): z.ZodType | undefined {
  let current = unwrap(root)
  for (const segment of path) {
    if (!current) return undefined
    current = unwrap(childSchema(current, segment))
  }
  return current
}

function childSchema(schema: z.ZodType, segment: PropertyKey): z.ZodType | undefined {
  const d = def(schema)
  if (d.type === 'object') return d.shape?.[String(segment)]
  if (d.type === 'array') return d.element
  if (d.type === 'record') return d.valueType
  if (d.type === 'union') {
    for (const option of d.options ?? []) {
      const inner = unwrap(option)
      const child = inner ? childSchema(inner, segment) : undefined
      if (child) return child
    }
  }
  return undefined
}

/** Keys an object (or an enum-keyed record) accepts. */
export function allowedKeys(schema: z.ZodType | undefined): string[] {
  const inner = unwrap(schema)
  if (!inner) return []
  const d = def(inner)
  if (d.type === 'object') return Object.keys(d.shape ?? {})
  if (d.type === 'record' && d.keyType) {
    const key = def(d.keyType)
    if (key.type === 'enum') return Object.values(key.entries ?? {})
  }
  if (d.type === 'union') {
    for (const option of d.options ?? []) {
      const keys = allowedKeys(option)
      if (keys.length > 0) return keys
    }
  }
  return []
}

function isIntSchema(schema: z.ZodType): boolean {
  const inner = unwrap(schema)
  if (!inner) return false
  const d = def(inner)
  return d.format === 'safeint' || (d.checks ?? []).some((check) => check._zod.def.format === 'safeint')
}
