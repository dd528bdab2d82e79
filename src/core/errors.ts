/**
 * Typed errors of the core. Each carries a stable `code`, a `hint` that tells the user what to do, and, for
 * configuration problems, one `Problem` per thing that is wrong. The CLI presenter (`src/cli/present-error.ts`) and
 * the gateway's HTTP mapper are the only places that turn these into text or responses.
 */

/** Where in a document a problem sits. */
export interface ProblemLocation {
  /** File path as the user gave it (or a label such as `<raw_overrides>`). */
  file?: string
  /** 1-based line and column, when the YAML parser knows them. */
  line?: number
  column?: number
  /** Path inside the document, e.g. `accounts[1].provider`. */
  path?: string
}

/** One thing wrong with a document or a request, with what to do about it. */
export interface Problem extends ProblemLocation {
  message: string
  hint?: string
  /** `error` problems stop the command; `warning` problems are reported and the command goes on. */
  severity?: 'error' | 'warning'
}

/** Base class of every error that the core raises on purpose. */
export class RouterError extends Error {
  readonly code: string
  readonly hint?: string
  /** Process exit code when this error ends a CLI command. */
  readonly exitCode: number

  constructor(code: string, message: string, options: {hint?: string; exitCode?: number; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? 1
  }
}

/** A configuration document (file, flag or environment) is missing, unreadable or invalid. Exit code 2. */
export class ConfigError extends RouterError {
  readonly problems: Problem[]

  constructor(
    message: string,
    problems: Problem[] = [],
    options: {hint?: string; code?: string; cause?: unknown} = {},
  ) {
    super(options.code ?? 'config_invalid', message, {hint: options.hint, exitCode: 2, cause: options.cause})
    this.problems = problems
  }
}

/** A request cannot be routed: unknown model, constraints that exclude everything, no account for the chain. */
export class RoutingError extends RouterError {
  /** Name of the request field at fault (OpenAI's `param`), if any. */
  readonly param?: string

  constructor(
    code: 'model_not_found' | 'no_candidates' | 'no_account' | 'invalid_request',
    message: string,
    options: {hint?: string; param?: string} = {},
  ) {
    super(code, message, {hint: options.hint, exitCode: 1})
    this.param = options.param
  }
}

/** A flag or argument is missing or wrong (non-interactive runs name the flag that answers the question). */
export class UsageError extends RouterError {
  constructor(message: string, options: {hint?: string} = {}) {
    super('usage', message, {hint: options.hint, exitCode: 2})
  }
}
