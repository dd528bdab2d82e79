/** Runs the built CLI (`bin/run.js`, after `npm run build`) as a user would, and captures what it prints. */
import {execFile} from 'node:child_process'
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
export function runCli(args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; input?: string} = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '', ...options.env}
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [RUN_JS, ...args], {cwd: options.cwd, env, timeout: 15_000}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({code, stdout: String(stdout), stderr: String(stderr)})
    })
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}
