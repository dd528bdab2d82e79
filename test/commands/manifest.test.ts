import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'

import {describe, expect, it} from 'vitest'

/** Command ids from the files under src/commands (`profile/compile.ts` → `profile:compile`). */
function commandIds(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return commandIds(path, root)
    if (!/\.tsx?$/.test(name) || name.endsWith('.d.ts')) return []
    return [
      relative(root, path)
        .replace(/\.tsx?$/, '')
        .replace(/\/index$/, '')
        .split('/')
        .join(':'),
    ]
  })
}

describe('oclif.manifest.json', () => {
  it('lists every command under src/commands (a stale manifest hides new commands)', () => {
    const manifest = JSON.parse(readFileSync('oclif.manifest.json', 'utf8')) as {commands: Record<string, unknown>}
    const ids = commandIds('src/commands')
    expect(ids).toEqual(
      expect.arrayContaining(['profile:init', 'profile:validate', 'profile:compile', 'profile:list', 'profile:show']),
    )
    for (const id of ids) expect(Object.keys(manifest.commands), `${id} missing: run npm run build`).toContain(id)
  })

  it('gives every command a summary, a description and examples', () => {
    const manifest = JSON.parse(readFileSync('oclif.manifest.json', 'utf8')) as {
      commands: Record<string, {summary?: string; description?: string; examples?: unknown[]}>
    }
    for (const [id, command] of Object.entries(manifest.commands)) {
      expect(command.summary, id).toBeTruthy()
      expect(command.description, id).toBeTruthy()
      expect(command.examples?.length, id).toBeGreaterThan(0)
    }
  })
})
