/**
 * Editing accounts in a profile file (`router provider login|logout`) without disturbing anything else in it.
 *
 * The file is parsed with the `yaml` Document API, the account's node is changed there, and only that account's text
 * is replaced (or a new item appended to `accounts:`): every byte outside the edited account (comments, blank lines,
 * key order, quoting, indentation) stays as it was. Comments inside the edited account are kept by the Document API.
 * The result is checked to mean exactly what was intended, then validated as a whole profile before anyone writes it.
 */
import {promises as fs} from 'node:fs'

import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml'

import {writeFileAtomic} from '../atomic-write.js'
import {ConfigError, type Problem} from '../errors.js'
import {isObject} from '../is-object.js'
import {didYouMean, suggest} from '../suggest.js'
import {parseConfig, type LoadedConfig} from './load.js'
import {ProfileAccountSchema, ProfileDocumentSchema, type ProfileAccount} from './schema.js'
import {locationOf, parseYamlSource} from './yaml.js'
import {issuesToProblems} from './zod-issues.js'

/** The account fields `provider login` writes. */
export type AccountFields = Partial<Omit<ProfileAccount, 'name'>>

/** A change to one account: fields to set (`undefined` values are ignored) and fields to remove. */
export interface AccountChange {
  name: string
  set: AccountFields
  remove?: ReadonlyArray<keyof ProfileAccount>
}

/** Key order of a new account, so that profiles read the same whoever wrote them. */
const KEY_ORDER: ReadonlyArray<keyof ProfileAccount> = [
  'name',
  'provider',
  'enabled',
  'auth_mode',
  'base_url',
  'api_key_env',
  'credential_ref',
  'models',
]

/** What a new profile file starts with. */
export const NEW_PROFILE_TEXT = `# Open-LLM Router profile: \`router profile compile\` turns it into the gateway's runtime config.
# Accounts are added by \`router provider login\`; secrets live in environment variables or the credentials file.
schema_version: 1
profile:
  default: auto
`

/** Result of an edit, before it is written. */
export interface ProfileEdit {
  text: string
  /** The account as it is now written (undefined after a removal). */
  account?: ProfileAccount
  /** The account as it was before, if it existed. */
  previous?: ProfileAccount
  /** `added`, `updated` or `removed`. */
  action: 'added' | 'updated' | 'removed'
  /** The loaded profile after an addition or update (validated and compiled), unless `pending` says why not. */
  loaded?: LoadedConfig
  /**
   * Problems of the profile as a whole that the edit did not cause and more accounts will fix (e.g. "no enabled
   * account serves any model" after adding only an openai-compatible server): reported, not fatal.
   */
  pending?: Problem[]
}

/** Reads a profile file; `undefined` when it does not exist. */
export async function readProfileText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      [],
      {
        code: 'config_unreadable',
        hint: 'check the file permissions, or pass another file with --config',
      },
    )
  }
}

/**
 * Adds the account `change.name` or updates it in place. `text` is the file's content (undefined: a new file).
 * Throws a `ConfigError` when the file, or the profile after the change, is not valid.
 */
export function upsertAccount(
  text: string | undefined,
  file: string,
  change: AccountChange,
  options: {env?: NodeJS.ProcessEnv} = {},
): ProfileEdit {
  const original = text === undefined || text.trim() === '' ? NEW_PROFILE_TEXT : text
  const doc = parseProfileDocument(original, file)
  const seq = doc.get('accounts', true) as Node | undefined
  const index = findAccount(seq, change.name)
  const style = detectStyle(original, doc)

  let result: string | undefined
  let previous: ProfileAccount | undefined
  if (index >= 0) {
    const item = (seq as YAMLSeq).items[index] as YAMLMap
    previous = accountValue(item)
    const [start, contentEnd] = item.range ?? [0, 0]
    applyChange(doc, item, change)
    result = spliceItem(original, item, start, contentEnd, style)
  } else {
    const item = doc.createNode(newAccountObject(change)) as YAMLMap
    result = appendItem(original, doc, seq, item, style)
    if (result === undefined) {
      if (isSeq(seq)) seq.items.push(item)
      else doc.set('accounts', doc.createNode([item]))
    }
  }
  const expected = expectedValue(original, (accounts) => {
    const current = accounts.findIndex((account) => isObject(account) && account.name === change.name)
    const base = current >= 0 ? (accounts[current] as Record<string, unknown>) : {}
    const next = applyToObject(base, change)
    if (current >= 0) accounts[current] = next
    else accounts.push(next)
  })
  const edited = settle(result, doc, expected, style)
  const {loaded, pending} = validate(edited, file, options.env)
  const account = ProfileAccountSchema.parse(
    (parseDocument(edited).toJS() as {accounts: unknown[]}).accounts.find((a) => isObject(a) && a.name === change.name),
  )
  return {
    text: edited,
    account,
    previous,
    action: index >= 0 ? 'updated' : 'added',
    loaded,
    ...(pending ? {pending} : {}),
  }
}

/** Removes the account `name`. Throws a `ConfigError` with suggestions when there is no such account. */
export function removeAccount(text: string, file: string, name: string): ProfileEdit {
  const doc = parseProfileDocument(text, file)
  const seq = doc.get('accounts', true) as Node | undefined
  const index = findAccount(seq, name)
  if (index < 0) throw unknownAccount(file, name, accountNames(seq))
  const items = (seq as YAMLSeq).items
  const item = items[index] as YAMLMap
  const previous = accountValue(item)
  const style = detectStyle(text, doc)

  let result: string | undefined
  const lines = isSeq(seq) && !seq.flow ? itemLines(text, item) : undefined
  if (lines) {
    result = text.slice(0, lines.start) + text.slice(lines.end)
    if (items.length === 1) {
      // The list is now empty: `accounts:` must say so, or it would read as null.
      const colon = keyColon(text, doc, 'accounts')
      result = colon === undefined ? undefined : result.slice(0, colon + 1) + ' []' + result.slice(colon + 1)
    }
  }
  items.splice(index, 1)
  const expected = expectedValue(text, (accounts) => {
    accounts.splice(
      accounts.findIndex((account) => isObject(account) && account.name === name),
      1,
    )
  })
  const edited = settle(result, doc, expected, style)
  // Not compiled: removing the last account leaves a profile that cannot serve yet, which is the user's choice.
  validateSchema(edited, file)
  return {text: edited, previous, action: 'removed'}
}

/** Writes an edited profile atomically. */
export async function writeProfile(file: string, text: string): Promise<void> {
  await writeFileAtomic(file, text)
}

/** The accounts of a profile text, as written (defaults applied). */
export function profileAccounts(text: string, file: string): ProfileAccount[] {
  const doc = parseProfileDocument(text, file)
  const seq = doc.get('accounts', true)
  if (!isSeq(seq)) return []
  return seq.items.filter(isMap).map((item) => accountValue(item as YAMLMap))
}

/** An error for an account name that is not in the profile, with the closest names. */
export function unknownAccount(file: string, name: string, names: string[]): ConfigError {
  const guess = didYouMean(suggest(name, names))
  return new ConfigError(`${file} has no account named \`${name}\`${guess ? `; ${guess}` : ''}`, [], {
    code: 'account_not_found',
    hint:
      names.length > 0
        ? `accounts in ${file}: ${names.join(', ')} (see \`router provider list\`)`
        : `${file} has no accounts yet`,
  })
}

function parseProfileDocument(text: string, file: string): Document {
  // Syntax errors with line and column, and secrets never echoed: the shared YAML reader reports them.
  if (text.trim() !== '' && !isCommentOnly(text)) parseYamlSource(text, file)
  const doc = parseDocument(text)
  const contents = doc.contents as Node | null
  if (contents !== null && !isMap(contents)) {
    throw new ConfigError(`${file} must be a YAML mapping of settings`, [], {code: 'config_not_mapping'})
  }
  const value = (doc.toJS() ?? {}) as Record<string, unknown>
  if (('default_model' in value || 'task_routes' in value) && !('profile' in value)) {
    throw new ConfigError(`${file} is a raw runtime config (router.yaml), not a profile`, [], {
      code: 'not_a_profile',
      hint: 'provider login edits profiles: pass one with --config (create it with `router profile init`), or add the account to this file by hand',
    })
  }
  const accounts = doc.get('accounts', true) as Node | undefined
  if (
    accounts !== undefined &&
    accounts !== null &&
    !isSeq(accounts) &&
    !(isScalar(accounts) && accounts.value === null)
  ) {
    throw new ConfigError(`${file}: \`accounts\` must be a list`, [], {
      code: 'config_invalid',
      hint: 'write `accounts:` followed by `- name: …` items',
    })
  }
  return doc
}

function isCommentOnly(text: string): boolean {
  return text.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('#'))
}

function findAccount(seq: Node | undefined | null, name: string): number {
  if (!isSeq(seq)) return -1
  return seq.items.findIndex((item) => isMap(item) && scalarValue(item.get('name', true)) === name)
}

function accountNames(seq: Node | undefined | null): string[] {
  if (!isSeq(seq)) return []
  return seq.items.flatMap((item) => {
    const name = isMap(item) ? scalarValue(item.get('name', true)) : undefined
    return typeof name === 'string' ? [name] : []
  })
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined
}

function accountValue(item: YAMLMap): ProfileAccount {
  const parsed = ProfileAccountSchema.safeParse(item.toJSON())
  return parsed.success ? parsed.data : (item.toJSON() as ProfileAccount)
}

/** Changes the account's node in place: existing keys keep their position and style, new keys go last. */
function applyChange(doc: Document, item: YAMLMap, change: AccountChange): void {
  for (const [key, value] of Object.entries(change.set)) {
    if (value === undefined) continue
    const existing = item.get(key, true)
    if (Array.isArray(value) && isSeq(existing)) {
      // Keep a flow list flow (`models: [a, b]`) and a block list block.
      existing.items = value.map((entry) => doc.createNode(entry))
    } else if (isScalar(existing) && !Array.isArray(value) && typeof value !== 'object') {
      existing.value = value
    } else {
      item.set(key, doc.createNode(value))
    }
  }
  for (const key of change.remove ?? []) {
    if (!(key in change.set) || change.set[key as keyof AccountFields] === undefined) item.delete(key)
  }
}

function newAccountObject(change: AccountChange): Record<string, unknown> {
  const fields: Record<string, unknown> = {name: change.name, ...withoutUndefined(change.set)}
  const ordered: Record<string, unknown> = {}
  for (const key of KEY_ORDER) if (key in fields) ordered[key] = fields[key]
  for (const [key, value] of Object.entries(fields)) if (!(key in ordered)) ordered[key] = value
  return ordered
}

function applyToObject(base: Record<string, unknown>, change: AccountChange): Record<string, unknown> {
  const next: Record<string, unknown> =
    Object.keys(base).length === 0 ? newAccountObject(change) : {...base, ...withoutUndefined(change.set)}
  for (const key of change.remove ?? []) {
    if (change.set[key as keyof AccountFields] === undefined) delete next[key]
  }
  return next
}

/** How the file is indented: the `yaml` stringifier is told the same, so new text looks like the old. */
interface Style {
  /** Whether block lists are indented under their key (`key:\n  - a`) or not (`key:\n- a`). */
  indentSeq: boolean
  indent: number
  newline: string
}

function detectStyle(text: string, doc: Document): Style {
  const newline = text.includes('\r\n') ? '\r\n' : '\n'
  let indentSeq = true
  const accounts = doc.get('accounts', true)
  const pair = accountsPair(doc)
  if (isSeq(accounts) && !accounts.flow && accounts.range && pair && isScalar(pair.key) && pair.key.range) {
    indentSeq = columnOf(text, accounts.range[0]) > columnOf(text, pair.key.range[0])
  }
  const match = /^( +)\S/m.exec(text)
  const indent = match ? Math.min(match[1].length, 8) : 2
  return {indentSeq, indent: indent >= 2 ? indent : 2, newline}
}

function accountsPair(doc: Document): Pair | undefined {
  const contents = doc.contents
  if (!isMap(contents)) return undefined
  return contents.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === 'accounts')
}

/** Text of a map node rendered on its own, indented so its first line follows `- ` at `column`. */
function renderItem(item: YAMLMap, column: number, style: Style): string {
  const copy = item.clone() as YAMLMap
  // Comments before the item and after its last value sit outside the replaced text and stay where they are.
  copy.commentBefore = undefined
  copy.comment = undefined
  copy.spaceBefore = false
  const standalone = new Document()
  standalone.contents = copy
  const text = standalone.toString({
    lineWidth: 0,
    flowCollectionPadding: false,
    indentSeq: style.indentSeq,
    indent: style.indent,
  })
  const pad = ' '.repeat(column)
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line, index) => (index === 0 || line === '' ? line : pad + line))
    .join('\n')
}

/** Replaces an existing item's text (from its first key to the end of its last value). */
function spliceItem(text: string, item: YAMLMap, start: number, contentEnd: number, style: Style): string {
  if (!item.range) return ''
  let rendered = renderItem(item, columnOf(text, start), style)
  if (text[contentEnd - 1] === '\n') rendered += '\n'
  return text.slice(0, start) + toNewline(rendered, style) + text.slice(contentEnd)
}

/** Appends a new item to `accounts:` (creating the key if needed); undefined when the layout is unusual. */
function appendItem(
  text: string,
  doc: Document,
  seq: Node | undefined | null,
  item: YAMLMap,
  style: Style,
): string | undefined {
  const pair = accountsPair(doc)
  if (isSeq(seq) && !seq.flow && seq.items.length > 0 && seq.range) {
    const last = seq.items[seq.items.length - 1] as Node
    const lines = isMap(last) ? itemLines(text, last as YAMLMap) : undefined
    if (!lines) return undefined
    const dash = columnOf(text, seq.range[0])
    const block = `${' '.repeat(dash)}- ${renderItem(item, dash + 2, style)}\n`
    const at = lines.end
    const prefix = at > 0 && text[at - 1] !== '\n' ? '\n' : ''
    return text.slice(0, at) + prefix + toNewline(block, style) + text.slice(at)
  }
  const emptyValue =
    pair !== undefined &&
    (isScalar(pair.value) ? pair.value.value === null : isSeq(pair.value) && pair.value.items.length === 0)
  if (pair && emptyValue) {
    // `accounts:` or `accounts: []`: the list goes on the lines below the key.
    const colon = keyColon(text, doc, 'accounts')
    if (colon === undefined || !isScalar(pair.key) || !pair.key.range) return undefined
    const dash = columnOf(text, pair.key.range[0]) + (style.indentSeq ? style.indent : 0)
    const block = `${' '.repeat(dash)}- ${renderItem(item, dash + 2, style)}`
    let valueEnd = colon + 1
    const value = pair.value as Node | null
    if (isSeq(value) && value.range) valueEnd = value.range[1]
    return text.slice(0, colon + 1) + toNewline('\n' + block, style) + text.slice(valueEnd)
  }
  if (pair === undefined) {
    const dash = style.indentSeq ? style.indent : 0
    const block = `accounts:\n${' '.repeat(dash)}- ${renderItem(item, dash + 2, style)}\n`
    const separator = text === '' || text.endsWith('\n') ? '' : '\n'
    return text + separator + toNewline(block, style)
  }
  return undefined
}

/**
 * The lines an item occupies: from the start of its `- ` line to the end of its content, plus comment lines right
 * after it that are indented deeper than its dash (they belong to it). Undefined when the item does not start on its
 * dash line.
 */
function itemLines(text: string, item: YAMLMap): {start: number; end: number} | undefined {
  if (!item.range) return undefined
  const [start, contentEnd] = item.range
  const lineBegin = lineStart(text, start)
  const prefix = text.slice(lineBegin, start)
  const dashMatch = /^(\s*)-\s+$/.exec(prefix)
  if (!dashMatch) return undefined
  const dashColumn = dashMatch[1].length
  let end = contentEnd
  if (end > 0 && text[end - 1] !== '\n') {
    const newline = text.indexOf('\n', end)
    // Only whitespace or a comment may follow on the item's last line.
    if (newline === -1) end = text.length
    else if (/^\s*(#.*)?\r?$/.test(text.slice(end, newline))) end = newline + 1
  }
  while (end < text.length) {
    const newline = text.indexOf('\n', end)
    const line = text.slice(end, newline === -1 ? text.length : newline)
    const indent = line.length - line.trimStart().length
    if (!line.trimStart().startsWith('#') || indent <= dashColumn) break
    end = newline === -1 ? text.length : newline + 1
  }
  return {start: lineBegin, end}
}

/** Offset of the `:` after a top-level key. */
function keyColon(text: string, doc: Document, key: string): number | undefined {
  const contents = doc.contents
  if (!isMap(contents)) return undefined
  const pair = contents.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key)
  const keyNode = pair?.key
  if (!isScalar(keyNode) || !keyNode.range) return undefined
  const colon = text.indexOf(':', keyNode.range[1])
  return colon === -1 ? undefined : colon
}

/**
 * Keeps the spliced text when it means exactly what was intended; otherwise (an unusual layout) falls back to the
 * Document API's own rendering of the whole file, which keeps comments but may normalise spacing.
 */
function settle(spliced: string | undefined, doc: Document, expected: unknown, style: Style): string {
  if (spliced !== undefined && sameValue(spliced, expected)) return spliced
  const whole = toNewline(
    doc.toString({lineWidth: 0, flowCollectionPadding: false, indentSeq: style.indentSeq, indent: style.indent}),
    style,
  )
  if (sameValue(whole, expected)) return whole
  throw new Error('internal error: the edited profile does not read back as intended')
}

function sameValue(text: string, expected: unknown): boolean {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) return false
  return JSON.stringify(doc.toJS()) === JSON.stringify(expected)
}

/** The document's plain value with `edit` applied to its `accounts` list. */
function expectedValue(text: string, edit: (accounts: unknown[]) => void): unknown {
  const value = (parseDocument(text).toJS() ?? {}) as Record<string, unknown>
  const accounts = Array.isArray(value.accounts) ? value.accounts : []
  edit(accounts)
  if (!('accounts' in value) || !Array.isArray(value.accounts)) value.accounts = accounts
  return value
}

/**
 * Validates the edited profile the way every command loads it (schema, catalog, compile). Problems located at
 * `accounts` itself concern the set of accounts as a whole, not the edited one: they come back as `pending`.
 */
function validate(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv | undefined,
): {loaded?: LoadedConfig; pending?: Problem[]} {
  try {
    return {loaded: parseConfig(text, file, {env})}
  } catch (error) {
    if (
      error instanceof ConfigError &&
      error.problems.length > 0 &&
      error.problems.every((problem) => problem.path === 'accounts')
    ) {
      return {pending: error.problems}
    }
    throw error
  }
}

/** Checks the document against the profile schema only (file, line and column per problem). */
function validateSchema(text: string, file: string): void {
  const source = parseYamlSource(text, file)
  const parsed = ProfileDocumentSchema.safeParse(source.value)
  if (parsed.success) return
  const problems = issuesToProblems(parsed.error.issues, ProfileDocumentSchema, source.value, (path, opts) =>
    locationOf(source, path, opts),
  )
  throw new ConfigError(`${file} would not be a valid routing profile after this change`, problems)
}

function toNewline(text: string, style: Style): string {
  return style.newline === '\n' ? text : text.replace(/\r?\n/g, style.newline)
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset)
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
