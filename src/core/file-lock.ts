/**
 * A lock file next to a file (`<file>.lock`) for read-modify-write across processes: the credentials file (a login
 * and a gateway refreshing a token) and profiles (two logins at once). A lock whose process died, or that is older
 * than any edit could take, is taken over.
 */
import {randomBytes} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {RouterError} from './errors.js'

/** A lock older than this is from a process that died mid-write. */
const STALE_LOCK_MS = 30_000

/**
 * Runs `fn` while holding `<file>.lock`. Waits up to `timeoutMs` for another holder, then throws a `RouterError`
 * (`locked`) that names the lock file to delete.
 */
export async function withFileLock<T>(
  file: string,
  fn: () => Promise<T>,
  options: {timeoutMs?: number; what?: string} = {},
): Promise<T> {
  const release = await acquire(file, options.timeoutMs ?? 10_000, options.what ?? file)
  try {
    return await fn()
  } finally {
    await release()
  }
}

async function acquire(file: string, timeoutMs: number, what: string): Promise<() => Promise<void>> {
  const lockPath = `${file}.lock`
  await fs.mkdir(path.dirname(lockPath), {recursive: true})
  const token = `${process.pid} ${randomBytes(6).toString('hex')}`
  const deadline = Date.now() + timeoutMs
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await fs.open(lockPath, 'wx', 0o600)
      try {
        await handle.writeFile(token)
      } finally {
        await handle.close()
      }
      return async () => {
        // Remove the lock only if it is still ours (a holder judged stale may have been replaced).
        const current = await fs.readFile(lockPath, 'utf8').catch(() => undefined)
        if (current === token) await fs.rm(lockPath, {force: true})
      }
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error
    }
    if (await removeStaleLock(lockPath)) continue
    if (Date.now() > deadline) {
      throw new RouterError('locked', `${what} is locked by another process.`, {
        hint: `If no other router command is running, delete ${lockPath} and try again.`,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5 + attempt * 5, 50) + Math.random() * 10))
  }
}

/** Removes a lock whose holder died (its pid is gone, or it is older than any write could take). */
async function removeStaleLock(lockPath: string): Promise<boolean> {
  let content: string
  let mtimeMs: number
  try {
    content = await fs.readFile(lockPath, 'utf8')
    mtimeMs = (await fs.stat(lockPath)).mtimeMs
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return true
    throw error
  }
  const pid = Number(content.split(' ')[0])
  const stale = Date.now() - mtimeMs > STALE_LOCK_MS || (Number.isInteger(pid) && pid > 0 && !processExists(pid))
  if (!stale) return false
  // Re-check right before removing, so a lock taken in between is not removed by mistake.
  const again = await fs.readFile(lockPath, 'utf8').catch(() => undefined)
  if (again === content) await fs.rm(lockPath, {force: true})
  return true
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return !isErrno(error, 'ESRCH')
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code
}
