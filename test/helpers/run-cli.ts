/**
 * Runs the built CLI (`bin/run.js`, after `npm run build`) as a user would: `runCli` to completion, capturing what it
 * prints; `startCli` for the commands that keep running (serve, sim, metrics tail).
 */
import {
  type ChildProcess,
  type ChildProcessWithoutNullStreams,
  execFile,
  spawn,
  type StdioOptions,
} from 'node:child_process'
import {fileURLToPath} from 'node:url'

/** The CLI entry: this checkout's `bin/run.js`, or ROUTER_TEST_RUN_JS (a build kept elsewhere). */
export const RUN_JS = process.env.ROUTER_TEST_RUN_JS ?? fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * `router ARGS…` in `cwd`, with `env` added to a minimal environment (no keys from the caller's shell); `input` is
 * written to its standard input, which is then closed.
 */
export function runCli(
  args: string[],
  options: {cwd?: string; env?: NodeJS.ProcessEnv; input?: string} = {},
): Promise<CliResult> {
  const env = cliEnv(options.env)
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [RUN_JS, ...args],
      {cwd: options.cwd, env, timeout: 15_000},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({code, stdout: String(stdout), stderr: String(stderr)})
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/** A minimal environment (no keys from the caller's shell) with `env` added. */
function cliEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', ...env}
}

/** How `startCli` starts the CLI. */
export interface StartCliOptions {
  cwd?: string
  /** Added to the minimal environment of `runCli`. */
  env?: NodeJS.ProcessEnv
  /** Another entry than `bin/run.js` (the `open-llm-router` alias). */
  entry?: string
}

/**
 * Starts `router ARGS…` and returns the process, for commands that keep running. Streams not read should be
 * `'ignore'`d (`stdio`): a pipe nobody reads fills up and stalls the process.
 */
export function startCli(
  args: string[],
  options?: StartCliOptions & {stdio?: undefined},
): ChildProcessWithoutNullStreams
export function startCli(args: string[], options: StartCliOptions & {stdio: StdioOptions}): ChildProcess
export function startCli(args: string[], options: StartCliOptions & {stdio?: StdioOptions} = {}): ChildProcess {
  return spawn(process.execPath, [options.entry ?? RUN_JS, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio: options.stdio ?? 'pipe',
  })
}
