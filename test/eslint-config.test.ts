import {fileURLToPath} from 'node:url'

import {ESLint} from 'eslint'
import {describe, expect, it} from 'vitest'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const eslint = new ESLint({cwd: ROOT})

/** The rule ids and messages ESLint reports for `code` as if it were the file `path` of this repository. */
async function lint(path: string, code: string): Promise<Array<{rule: string | null; message: string}>> {
  const [result] = await eslint.lintText(code, {filePath: `${ROOT}${path}`})
  return result.messages.map((message) => ({rule: message.ruleId, message: message.message}))
}

describe('the house rules in eslint.config.js', () => {
  it('lets a core folder import the core root and the folders before it', async () => {
    const code = `import type {Task} from '../../config/schema.js'\nimport {didYouMean} from '../../../suggest.js'\nexport type A = Task\nexport const b = didYouMean\n`
    expect(await lint('src/core/routing/classifier/x.ts', code)).toEqual([])
  })

  it('refuses a core folder importing one after it, so that the core reads one way', async () => {
    expect(await lint('src/core/config/x.ts', `export {EndpointSchema} from '../routing/schema.js'\n`)).toEqual([
      {
        rule: 'house/rooms',
        message:
          'src/core/config may not import src/core/routing: it may import core root, core/settings, core/credentials, core/sim, core/catalog (see docs/architecture.md).',
      },
    ])
    expect(
      await lint('src/core/x.ts', `import type {Task} from './config/schema.js'\nexport type A = Task\n`),
    ).toMatchObject([
      {rule: 'house/rooms', message: expect.stringContaining('src/core may not import src/core/config')},
    ])
  })

  it('keeps the gateway and the TUI apart, dynamic imports included', async () => {
    expect(
      await lint('src/gateway/x.ts', `import type {Health} from '../tui/view-model.js'\nexport type A = Health\n`),
    ).toMatchObject([{rule: 'house/rooms', message: expect.stringContaining('src/gateway may not import src/tui')}])
    expect(
      await lint('src/tui/sources/x.ts', `export const load = () => import('../../gateway/errors.js')\n`),
    ).toMatchObject([{rule: 'house/rooms', message: expect.stringContaining('src/tui may not import src/gateway')}])
  })

  it('refuses a room nobody has placed yet', async () => {
    expect(await lint('src/core/newfolder/x.ts', 'export const a = 1\n')).toMatchObject([
      {rule: 'house/rooms', message: expect.stringContaining('src/core/newfolder is not a room yet')},
    ])
  })

  it('keeps oclif, Ink, React, Fastify and undici out of the core', async () => {
    const code = ['@oclif/core', 'ink', 'react', 'fastify', 'undici']
      .map((name, i) => `import * as m${i} from '${name}'\nexport {m${i}}\n`)
      .join('')
    const found = await lint('src/core/routing/x.ts', code)
    expect(found.map((f) => f.rule)).toEqual(Array(5).fill('no-restricted-imports'))
    expect(await lint('src/gateway/x.ts', `import Fastify from 'fastify'\nexport const app = Fastify()\n`)).toEqual([])
  })

  it('lets only src/core/**/schema.ts build zod schemas', async () => {
    const code = `import {z} from 'zod'\nexport const A = z.string()\n`
    expect(await lint('src/gateway/x.ts', code)).toMatchObject([{rule: '@typescript-eslint/no-restricted-imports'}])
    expect(await lint('src/core/routing/schema.ts', code)).toEqual([])
    expect(await lint('src/core/config/x.ts', `import type {z} from 'zod'\nexport type A = z.ZodType\n`)).toEqual([])
  })

  it('keeps command files to their command class', async () => {
    const code = `import {Command} from '@oclif/core'\nexport default class X extends Command {\n  async run(): Promise<void> {\n    helper()\n  }\n}\nfunction helper() {}\n`
    expect(await lint('src/commands/x.ts', code)).toMatchObject([
      {rule: 'no-restricted-syntax', message: expect.stringContaining('src/commands holds command classes only')},
    ])
  })

  it('refuses vi.mock in tests', async () => {
    expect(await lint('test/x.test.ts', `import {vi} from 'vitest'\nvi.mock('../src/core/errors.js')\n`)).toMatchObject(
      [{rule: 'no-restricted-properties'}],
    )
  })
})
