/**
 * Runs `router sim --json` as a separate process (as the benchmark and the gateway's process-level tests do), waits
 * for its `listening` line, and drives it through the `/_sim/*` control routes.
 */
import type {ChildProcess} from 'node:child_process'
import {createInterface} from 'node:readline'

import type {SimBehaviour, SimRequestRecord} from '../../src/sim/index.js'
import {startCli} from './run-cli.js'

export interface SimProcess {
  url: string
  name: string
  protocols: string[]
  child: ChildProcess
  /** Every stdout line printed after the listening line (per-request JSON events unless `--quiet`). */
  lines: string[]
  /** Queues behaviours (`POST /_sim/script`). */
  script(behaviours: SimBehaviour[]): Promise<void>
  /** What the simulator received (`GET /_sim/requests`). */
  requests(): Promise<SimRequestRecord[]>
  clearRequests(): Promise<void>
  /** SIGTERM, then the exit code once the process has ended. */
  close(): Promise<number | null>
}

/** Starts `router sim --json ARGS…` and resolves once it listens (rejects with its stderr if it exits first). */
export function startSimProcess(args: string[] = [], options: {timeoutMs?: number} = {}): Promise<SimProcess> {
  const child = startCli(['sim', '--json', ...args], {stdio: ['ignore', 'pipe', 'pipe']})
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const lines: string[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`router sim did not print its listening line within ${options.timeoutMs ?? 15_000} ms\n${stderr}`),
      )
    }, options.timeoutMs ?? 15_000)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`router sim exited with code ${code} before listening\n${stderr}`))
    })
    let listening = false
    createInterface({input: child.stdout!}).on('line', (line) => {
      if (listening) {
        lines.push(line)
        return
      }
      const event = JSON.parse(line) as {event: string; url: string; name: string; protocols: string[]}
      if (event.event !== 'listening') return
      listening = true
      clearTimeout(timer)
      const control = async (method: string, path: string, body?: unknown): Promise<any> => {
        const response = await fetch(`${event.url}/_sim/${path}`, {
          method,
          headers: body === undefined ? undefined : {'content-type': 'application/json'},
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        const json = await response.json()
        if (!response.ok) throw new Error(`${method} /_sim/${path}: ${response.status} ${JSON.stringify(json)}`)
        return json
      }
      resolve({
        url: event.url,
        name: event.name,
        protocols: event.protocols,
        child,
        lines,
        script: async (behaviours) => void (await control('POST', 'script', behaviours)),
        requests: async () => (await control('GET', 'requests')).requests,
        clearRequests: async () => void (await control('DELETE', 'requests')),
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          return exited
        },
      })
    })
  })
}
