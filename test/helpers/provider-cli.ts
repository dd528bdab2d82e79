/**
 * Runs the built CLI (`bin/run.js`, after `npm run build`) for the `provider` commands: its own process, stdin
 * closed (no terminal), a temporary HOME so nothing touches the real home directory or credentials file, and a time
 * limit so a command that waits for input fails the test instead of hanging it.
 */
import type {ChildProcess} from 'node:child_process'
import {existsSync, promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {RUN_JS, startCli} from './run-cli.js'

export const ROOT = path.resolve(import.meta.dirname, '../..')
/** The CLI entry (for a terminal of its own, node-pty); `runRouter` starts it through `startCli`. */
export const BIN = RUN_JS

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  /** True when the time limit killed the process. */
  timedOut: boolean
}

/** A temporary home: `dir` is the working directory; HOME and the XDG config dir are inside it. */
export interface TempHome {
  dir: string
  env: NodeJS.ProcessEnv
  credentialsPath: string
  cleanup(): Promise<void>
}

/** Creates a temporary home; its `env` has no real credentials and no provider key variables. */
export async function makeTempHome(prefix = 'olr-cli-'): Promise<TempHome> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix))
  const home = path.join(dir, 'home')
  await fs.mkdir(home)
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
  }
  return {
    dir,
    env,
    credentialsPath: path.join(home, '.config', 'open-llm-router', 'credentials.json'),
    cleanup: () => fs.rm(dir, {recursive: true, force: true}),
  }
}

/** Runs `router <args>` in `cwd` with stdin closed; never waits longer than `timeoutMs`. */
export function runRouter(
  args: string[],
  options: {
    cwd: string
    env: NodeJS.ProcessEnv
    timeoutMs?: number
    onStderr?: (all: string, child: ChildProcess) => void
  },
): Promise<CliRun> {
  if (!existsSync(path.join(ROOT, 'dist/commands')))
    throw new Error('run `npm run build` first: these tests run bin/run.js')
  return new Promise((resolve, reject) => {
    const child = startCli(args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 15_000)
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      options.onStderr?.(stderr, child)
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr, timedOut})
    })
  })
}
