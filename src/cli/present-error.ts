/**
 * The one place where errors become what a CLI user reads: a headline, one line per problem with file, line, column
 * and document path, and the fix. Stack traces only with DEBUG set.
 */
import {RouterError, type Problem, ConfigError} from '../core/errors.js'

/** `router.profile.yaml:12:5 accounts[1].provider: unknown provider "opnai"` plus an indented hint. */
export function formatProblem(problem: Problem): string {
  const where = [problem.file, problem.line, problem.line === undefined ? undefined : problem.column]
    .filter((part) => part !== undefined)
    .join(':')
  const head = [where, problem.path].filter(Boolean).join(' ')
  const severity = problem.severity === 'warning' ? 'warning: ' : ''
  const lines = [`${head ? head + ': ' : ''}${severity}${problem.message}`]
  if (problem.hint) lines.push(`  fix: ${problem.hint}`)
  return lines.join('\n')
}

/** Human text for any error; unknown errors show their message only (the stack with DEBUG). */
export function formatError(error: unknown): string {
  if (error instanceof ConfigError) {
    const lines = [`Error: ${error.message}`]
    for (const problem of error.problems) lines.push(indent(formatProblem(problem)))
    if (error.hint) lines.push(`Fix: ${error.hint}`)
    return lines.join('\n')
  }
  if (error instanceof RouterError) {
    return error.hint ? `Error: ${error.message}\nFix: ${error.hint}` : `Error: ${error.message}`
  }
  const message = error instanceof Error ? error.message : String(error)
  const stack = process.env.DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : ''
  return `Error: ${message}${stack}`
}

/** The `--json` form of an error: stable keys `error.code`, `error.message`, `error.hint`, `error.problems`. */
export function errorToJson(error: unknown): {
  error: {code: string; message: string; hint: string | null; problems: Problem[]}
} {
  if (error instanceof RouterError) {
    return {
      error: {
        code: error.code,
        message: error.message,
        hint: error.hint ?? null,
        problems: error instanceof ConfigError ? error.problems : [],
      },
    }
  }
  return {
    error: {
      code: 'internal',
      message: error instanceof Error ? error.message : String(error),
      hint: null,
      problems: [],
    },
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}
