/**
 * YAML documents with source positions: parse once with the `yaml` Document API and a LineCounter, then map any
 * document path (`['accounts', 1, 'provider']`) back to a line and column.
 */
import {isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node} from 'yaml'

import {ConfigError, type Problem, type ProblemLocation} from '../errors.js'

/** A path inside a document, as zod reports it. */
export type DocPath = ReadonlyArray<PropertyKey>

/** A parsed YAML document that can locate its own nodes. */
export interface YamlSource {
  file: string
  /** The plain JavaScript value of the document. */
  value: Record<string, unknown>
  /** Line and column (1-based) of the node at `path`; the nearest existing ancestor when the path is missing. */
  locate(path: DocPath, options?: {key?: boolean}): {line?: number; column?: number; found: boolean}
}

const STARTER_HINT =
  'run `router profile init` to write a starter profile (see router.profile.example.yaml for every field)'

/**
 * Parse `text` (the contents of `file`). Throws a `ConfigError` for YAML syntax errors (one problem per error, with its
 * line and column), for an empty document and for a document that is not a mapping.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter()
  // prettyErrors would append the offending source line to the message: it may hold an inline key.
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true})
  const position = (offset: number) => {
    const {line, col} = lineCounter.linePos(offset)
    return {line, column: col}
  }

  if (doc.errors.length > 0) {
    const lines = text.split(/\r?\n/)
    const problems: Problem[] = []
    const seenLines = new Set<number>()
    for (const error of doc.errors) {
      const at = position(error.pos[0])
      // One mistake often trips several parser rules on the same line: the first says it best.
      if (seenLines.has(at.line)) continue
      seenLines.add(at.line)
      problems.push({
        file,
        ...at,
        message: `YAML syntax error: ${syntaxMessage(error.code, error.message)}`,
        hint:
          closingHint(error.message, lines, at.line) ??
          indentationHint(lines, at.line) ??
          syntaxHint(error.code, lines[at.line - 1] ?? ''),
        severity: 'error',
      })
    }
    throw new ConfigError(`${file} is not valid YAML`, problems, {
      code: 'config_syntax',
      hint: 'fix the YAML syntax at the line shown; indent with spaces, and quote values that contain `: ` or `#`',
    })
  }

  const contents = doc.contents as Node | null
  const value = doc.toJS({maxAliasCount: 100}) as unknown
  if (contents === null || value === null || value === undefined) {
    throw new ConfigError(`${file} is empty`, [], {code: 'config_empty', hint: STARTER_HINT})
  }
  if (!isMap(contents) || typeof value !== 'object' || Array.isArray(value)) {
    const where = contents.range ? position(contents.range[0]) : {}
    throw new ConfigError(
      `${file} must be a YAML mapping of settings`,
      [
        {
          file,
          ...where,
          message: `expected a mapping (\`key: value\` lines) at the top level, got ${describeValue(value)}`,
          severity: 'error',
        },
      ],
      {code: 'config_not_mapping', hint: STARTER_HINT},
    )
  }

  return {
    file,
    value: value as Record<string, unknown>,
    locate(path, options = {}) {
      const found = findNode(doc, path, options.key ?? false)
      return found.offset === undefined ? {found: false} : {...position(found.offset), found: found.exact}
    },
  }
}

/** `['accounts', 1, 'provider']` → `accounts[1].provider`; keys that are not plain words are quoted: `models["openai/gpt-5"]`. */
export function formatPath(path: DocPath): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else {
      const key = String(segment)
      if (/^[A-Za-z_][\w-]*$/.test(key)) out += out === '' ? key : `.${key}`
      else out += `[${JSON.stringify(key)}]`
    }
  }
  return out
}

/** The value at `path` inside a plain JavaScript value, or undefined. */
export function valueAt(value: unknown, path: DocPath): unknown {
  let current = value
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<PropertyKey, unknown>)[segment as string]
  }
  return current
}

/** Human words for the type of a value: `a string`, `a list`, `a mapping`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'boolean') return 'true/false'
  if (typeof value === 'number') return Number.isInteger(value) ? 'a number' : 'a decimal number'
  return 'a string'
}

/** A location helper for problems found in a parsed source: file, line, column and formatted path. */
export function locationOf(source: YamlSource, path: DocPath, options: {key?: boolean} = {}): ProblemLocation {
  const {line, column} = source.locate(path, options)
  return {file: source.file, line, column, path: path.length > 0 ? formatPath(path) : undefined}
}

/** Problems in reading order: by file, then line and column (unlocated ones last, in their original order). */
export function byLocation(problems: Problem[]): Problem[] {
  return problems
    .map((problem, index) => ({problem, index}))
    .sort((a, b) => {
      const fa = a.problem.file ?? ''
      const fb = b.problem.file ?? ''
      if (fa !== fb) return fa.startsWith('<') === fb.startsWith('<') ? 0 : fa.startsWith('<') ? 1 : -1
      const la = a.problem.line ?? Number.MAX_SAFE_INTEGER
      const lb = b.problem.line ?? Number.MAX_SAFE_INTEGER
      return la - lb || (a.problem.column ?? 0) - (b.problem.column ?? 0) || a.index - b.index
    })
    .map(({problem}) => problem)
}

function findNode(doc: Document, path: DocPath, wantKey: boolean): {offset?: number; exact: boolean} {
  let node: unknown = doc.contents
  let offset = rangeStart(node)
  for (let index = 0; index < path.length; index++) {
    const segment = path[index]
    const last = index === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      )
      if (!pair) return {offset, exact: false}
      const keyStart = rangeStart(pair.key)
      if (last && wantKey) return {offset: keyStart ?? offset, exact: true}
      // `key:` with nothing after it has no value node: point at the key.
      node = pair.value
      const empty = node === null || (isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1])
      offset = (empty ? keyStart : rangeStart(node)) ?? keyStart ?? offset
      if (node === null) return {offset, exact: last}
    } else if (isSeq(node)) {
      const item = typeof segment === 'number' ? node.items[segment] : undefined
      if (item === undefined) return {offset, exact: false}
      node = item
      offset = rangeStart(node) ?? offset
    } else {
      return {offset, exact: false}
    }
  }
  return {offset, exact: true}
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as {range?: [number, number, number] | null} | null)?.range
  return range ? range[0] : undefined
}

/** The `yaml` package's messages, made a little friendlier for the common cases. */
function syntaxMessage(code: string, message: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'the same key appears twice in one mapping'
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed for indentation'
    case 'MISSING_CHAR':
    case 'BAD_INDENT':
    case 'UNEXPECTED_TOKEN':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    default:
      return message.replace(/\s+at line \d+, column \d+.*$/s, '').replace(/\.$/, '')
  }
}

/**
 * The fix when a line is indented a space or two off from the sibling above it (a list item or a key): YAML then reads
 * it as something else entirely, and its own messages ("a block sequence may not be used as an implicit map key")
 * do not say what to do. Undefined when the line lines up with its siblings.
 */
function indentationHint(lines: readonly string[], line: number): string | undefined {
  const text = lines[line - 1]
  if (text === undefined || text.trim() === '') return undefined
  const indent = indentOf(text)
  const item = isItem(text)
  // The nearest line above at each indentation within two spaces of this one, of the same kind (item or key).
  const near = new Map<number, number>()
  for (let i = line - 2; i >= 0; i--) {
    const above = lines[i]
    if (above.trim() === '' || above.trimStart().startsWith('#')) continue
    const aboveIndent = indentOf(above)
    if (aboveIndent === indent && isItem(above) === item) return undefined
    if (Math.abs(aboveIndent - indent) <= 2 && isItem(above) === item && !near.has(aboveIndent))
      near.set(aboveIndent, i + 1)
    if (aboveIndent < indent - 2 || aboveIndent === 0) break
  }
  if (near.size === 0) return undefined
  const what = item ? 'the list item' : 'the key'
  const options = [...near.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([spaces, at]) => `${spaces} spaces, like ${what} on line ${at}`)
  return `indent this line by ${options.join(', or by ')} (it has ${indent})`
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length
}

function isItem(text: string): boolean {
  return /^\s*-(\s|$)/.test(text)
}

/**
 * The fix for a quote, bracket or brace left open: YAML notices it where the document goes on (often the next line,
 * or the end), so name the line that opened it.
 */
function closingHint(message: string, lines: readonly string[], line: number): string | undefined {
  if (!/closing|end with a|flow (?:sequence|map|collection)/i.test(message)) return undefined
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    if (unclosed(lines[i])) return `close the quote, bracket or brace opened on line ${i + 1}`
  }
  return 'close the quote, bracket or brace that was opened'
}

/** Whether a line opens a quote, bracket or brace it does not close. */
function unclosed(text: string): boolean {
  const quotes = (text.match(/"/g)?.length ?? 0) % 2 === 1 || (text.match(/'/g)?.length ?? 0) % 2 === 1
  const count = (open: string, close: string) => text.split(open).length - text.split(close).length
  return quotes || count('[', ']') > 0 || count('{', '}') > 0
}

function syntaxHint(code: string, text: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove or merge the repeated key'
    case 'TAB_AS_INDENT':
      return 'indent with spaces'
    case 'BAD_INDENT':
      return 'align this line with its siblings (spaces only)'
    case 'MISSING_CHAR':
      return unclosed(text)
        ? 'close the quote, bracket or brace that was opened'
        : 'a key needs `: ` after it; quote a value that contains `: ` or `#`'
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key must fit on one line and be followed by `: `; quote values that contain `: `'
    default:
      return undefined
  }
}
