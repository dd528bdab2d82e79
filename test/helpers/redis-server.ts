/**
 * A real `redis-server` (Debian's package) for the shared-state tests, on a free loopback port, with no persistence.
 * Where it is not installed the tests fail, naming the command that installs it: they never pass without Redis.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {createServer} from 'node:net'

export const REDIS_INSTALL = 'apt-get install -y redis-server'

export interface RedisProcess {
  url: string
  port: number
  /** SIGKILL: Redis dies mid-whatever, as a crash would (no persistence: its data is gone). */
  kill(): Promise<void>
  /** Starts it again on the same port (after `kill`). */
  restart(): Promise<void>
  /** SIGSTOP / SIGCONT: Redis stalls (connections stay open, nothing answers) and resumes. */
  pause(): void
  resume(): void
  /** Runs `redis-cli ARGS…` against it and returns its output. */
  cli(...args: string[]): string
  stop(): Promise<void>
}

/** Whether redis-server is on the PATH. */
export function redisInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], {stdio: 'ignore'}).status === 0
}

/** Starts redis-server on a free port of 127.0.0.1; throws with the install command when it is missing. */
export async function startRedis(options: {password?: string} = {}): Promise<RedisProcess> {
  if (!redisInstalled())
    throw new Error(`redis-server is not installed; the shared-state tests need it: ${REDIS_INSTALL}`)
  const port = await freePort()
  const extra = options.password === undefined ? [] : ['--requirepass', options.password]
  let child = await launch(port, extra)
  return {
    url: `redis://${options.password === undefined ? '' : `:${options.password}@`}127.0.0.1:${port}`,
    port,
    async kill() {
      await stopChild(child, 'SIGKILL')
    },
    async restart() {
      child = await launch(port, extra)
    },
    pause() {
      child.kill('SIGSTOP')
    },
    resume() {
      child.kill('SIGCONT')
    },
    cli(...args: string[]) {
      const auth = options.password === undefined ? [] : ['--no-auth-warning', '-a', options.password]
      return spawnSync('redis-cli', ['-p', String(port), ...auth, ...args], {encoding: 'utf8'}).stdout.trim()
    },
    async stop() {
      child.kill('SIGCONT')
      await stopChild(child, 'SIGTERM')
    },
  }
}

function launch(port: number, extra: string[]): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      ...extra,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with code ${code}:\n${output}`))
    })
  })
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}
