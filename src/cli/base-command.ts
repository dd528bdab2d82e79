/**
 * Base of every command: presents the core's errors in one place (human text on stderr, or `{"error": …}` on stdout
 * with `--json`) and sets the exit code (2 for configuration and usage errors). Other errors (flag parsing, `exit`)
 * keep oclif's own handling.
 */
import {Command} from '@oclif/core'

import {RouterError} from '../core/errors.js'
import {errorToJson, formatError} from './present-error.js'

export abstract class BaseCommand extends Command {
  /** Writes a JSON value to stdout (pretty unless `pretty` is false, for JSON lines). */
  protected printJson(value: unknown, pretty = true): void {
    process.stdout.write(JSON.stringify(value, null, pretty ? 2 : undefined) + '\n')
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (!(error instanceof RouterError)) return super.catch(error)
    // Set the code ourselves: with --json, oclif's this.error() would exit 1 whatever we ask.
    if (this.argv.includes('--json')) this.printJson(errorToJson(error))
    else process.stderr.write(formatError(error) + '\n')
    process.exitCode = error.exitCode
  }
}
