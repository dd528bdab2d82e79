/**
 * `router serve --no-tui` as a separate process (a replica, or a `--workers` primary), on 127.0.0.1:0, with its own
 * audit log in a temp folder: for the tests where several gateways share state as they would in production.
 */
import type {ChildProcess} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {startCli} from './run-cli.js'

export interface GatewayProcess {
  url: string
  child: ChildProcess
  /** Everything it printed on stderr so far (start-up lines, warnings). */
  stderr(): string
  /** The events of its audit log so far. */
  events(): Promise<AuditEvent[]>
  /** SIGTERM (a graceful shutdown); resolves with the exit code. */
  close(): Promise<number | null>
}

/** Starts `router serve --config CONFIG --no-tui ARGS…` in `dir` with `env`; resolves once it listens. */
export function startGatewayProcess(options: {
  dir: string
  config: string
  env?: NodeJS.ProcessEnv
  args?: string[]
  name?: string
}): Promise<GatewayProcess> {
  const auditPath = join(options.dir, 'logs', `${options.name ?? 'gateway'}.jsonl`)
  const child = startCli(
    ['serve', '--config', options.config, '--no-tui', '--host', '127.0.0.1', '--port', '0', ...(options.args ?? [])],
    {
      cwd: options.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ROUTER_AUDIT_LOG_PATH: auditPath,
        ROUTER_RUNTIME_OVERRIDES_PATH: join(options.dir, 'logs', `${options.name ?? 'gateway'}.overrides.yaml`),
        ROUTER_CONFIG_WATCH: 'false',
        ...options.env,
      },
    },
  )
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`router serve did not listen within 30 s\n${stderr}`))
    }, 30_000)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`router serve exited with code ${code} before listening\n${stderr}`))
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      const before = stderr
      stderr += chunk.toString()
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (match === null || /listening on http/.test(before)) return
      clearTimeout(timer)
      resolve({
        url: match[1],
        child,
        stderr: () => stderr,
        async events() {
          const text = await readFile(auditPath, 'utf8').catch(() => '')
          return text
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as AuditEvent)
        },
        close() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          return exited
        },
      })
    })
  })
}
