/** Atomic file replacement: readers see the old file or the new one, never half of it. */
import {randomBytes} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'

/**
 * Writes `text` to a temporary file next to `file` and renames it over `file`. An existing file keeps its mode; a new
 * one gets `mode` (default 0644 minus the umask). Parent directories are created; a symlink is followed.
 */
export async function writeFileAtomic(target: string, text: string, options: {mode?: number} = {}): Promise<void> {
  // Write through a symlink (a profile kept in a dotfiles repo), not over it.
  const file = await fs.realpath(target).catch(() => target)
  const dir = path.dirname(file)
  await fs.mkdir(dir, {recursive: true})
  const existingMode = await fs
    .stat(file)
    .then((stat) => stat.mode & 0o777)
    .catch(() => undefined)
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await fs.open(temp, 'wx', existingMode ?? options.mode ?? 0o644)
    try {
      await handle.writeFile(text, 'utf8')
      await handle.sync()
      // open() applies the umask; an existing file's exact mode is restored explicitly.
      if (existingMode !== undefined) await handle.chmod(existingMode)
    } finally {
      await handle.close()
    }
    await fs.rename(temp, file)
  } catch (error) {
    await fs.rm(temp, {force: true})
    throw error
  }
}
