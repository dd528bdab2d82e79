import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  parseOverrides,
  readOverrides,
  renderOverrides,
  writeOverrides,
} from '../../../src/core/policy/overrides-file.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-overrides-'))
})
afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

const priors = {
  'openai/gpt-5-mini': {latency_ms: 812.5, failure_rate: 0.031, samples: 240, updated_at: '2026-01-01T00:00:00.000Z'},
  'anthropic/claude-haiku-4-5': {latency_ms: 400, failure_rate: 0, samples: 31, updated_at: null},
}

describe('the runtime overrides file', () => {
  it('round-trips through YAML with a header comment and sorted models', async () => {
    const text = renderOverrides(priors, '2026-01-02T00:00:00.000Z')
    expect(text.startsWith('# Runtime-adjusted model priors')).toBe(true)
    expect(text.indexOf('anthropic/claude-haiku-4-5')).toBeLessThan(text.indexOf('openai/gpt-5-mini'))
    expect(parseOverrides(text)).toEqual({kind: 'loaded', priors})
  })

  it('writes atomically into a new folder and reads back', async () => {
    const path = join(dir, 'logs', 'overrides.yaml')
    await writeOverrides(path, priors, '2026-01-02T00:00:00.000Z')
    expect(await readOverrides(path)).toEqual({kind: 'loaded', priors})
    expect(await readFile(path, 'utf8')).toContain('schema_version: 1')
  })

  it('creates the file readable and writable by its owner only', async () => {
    const path = join(dir, 'overrides.yaml')
    await writeOverrides(path, priors, '2026-01-02T00:00:00.000Z')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })

  it('reports a missing file as missing and an empty one as no priors', async () => {
    expect(await readOverrides(join(dir, 'nope.yaml'))).toEqual({kind: 'missing'})
    await writeFile(join(dir, 'empty.yaml'), '')
    expect(await readOverrides(join(dir, 'empty.yaml'))).toEqual({kind: 'loaded', priors: {}})
  })

  it('says what is wrong with a corrupt file instead of throwing', async () => {
    expect(parseOverrides('models: [unclosed')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('not valid YAML'),
    })
    expect(parseOverrides('schema_version: 2\nmodels: {}')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('schema_version'),
    })
    expect(parseOverrides('schema_version: 1\nmodels:\n  a/b: {latency_ms: -5, failure_rate: 0.1}')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('models.a/b.latency_ms'),
    })
    expect(parseOverrides('schema_version: 1\nmodels:\n  a/b: {latency_ms: 5, failure_rate: 3}')).toMatchObject({
      kind: 'invalid',
    })
    await writeFile(join(dir, 'dir.yaml'), '\u0000\u0001binary')
    expect((await readOverrides(join(dir, 'dir.yaml'))).kind).toBe('invalid')
  })
})
