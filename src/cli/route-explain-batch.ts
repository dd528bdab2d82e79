/**
 * `router route explain --input FILE`: one dry-run decision per JSON line, each printed as it is made (a line of text,
 * or a JSON line with --json), then a summary of the whole file.
 */
import {RoutingError} from '../core/errors.js'
import type {Endpoint} from '../core/routing/schema.js'
import {addToSummary, emptySummary, formatDecisionLine, formatErrorLine, formatSummary} from './format-decision.js'
import {errorToJson} from './present-error.js'
import {bodyFromEntry, explainBody, type ExplainTarget, readJsonLines} from './route-explain.js'

/**
 * Explains every line of `input` ("-": standard input) against `target`. A request the router refuses is a line of the
 * report; lines that are not requests are counted, reported on stderr and make the exit code 2.
 */
export async function explainMany(
  target: ExplainTarget,
  input: string,
  endpoint: Endpoint,
  model: string | undefined,
  json: boolean,
): Promise<void> {
  const entries = await readJsonLines(input)
  const summary = emptySummary()
  const out = (line: string) => process.stdout.write(line + '\n')
  for (const note of target.notes) (json ? process.stderr : process.stdout).write(`Note: ${note}\n`)

  for (const entry of entries) {
    const body = 'error' in entry ? entry.error : bodyFromEntry(entry.value, endpoint, model)
    if (typeof body === 'string') {
      addToSummary(summary, {invalid: true})
      out(
        json
          ? JSON.stringify({line: entry.line, error: {code: 'invalid_line', message: body, hint: null, problems: []}})
          : formatErrorLine(entry.line, 'invalid_line', body),
      )
      continue
    }
    try {
      const decision = explainBody(target, body, endpoint)
      addToSummary(summary, {decision})
      out(json ? JSON.stringify({line: entry.line, decision}) : formatDecisionLine(entry.line, decision, body))
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error
      addToSummary(summary, {refused: error.code})
      out(
        json
          ? JSON.stringify({line: entry.line, ...errorToJson(error)})
          : formatErrorLine(entry.line, error.code, error.message),
      )
    }
  }
  out(json ? JSON.stringify({summary}) : `\n${formatSummary(summary)}`)
  if (summary.invalid > 0) {
    process.stderr.write(
      `${summary.invalid} line${summary.invalid === 1 ? '' : 's'} of ${input === '-' ? 'standard input' : input} could not be read as a request.\n`,
    )
    process.exitCode = 2
  }
}
