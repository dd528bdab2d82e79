import {appendFile, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type IPty, spawn} from 'node-pty'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {requestEvents} from '../../helpers/audit-events.js'
import {RUN_JS} from '../../helpers/run-cli.js'

let dir: string
let pty: IPty | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-tail-tty-'))
})
afterEach(async () => {
  pty?.kill()
  pty = undefined
  await rm(dir, {recursive: true, force: true})
})

const jsonl = (events: object[]) => events.map((e) => JSON.stringify(e) + '\n').join('')

describe('router metrics tail in a terminal', () => {
  it('shows the dashboard at 80×24, follows the file, answers keys and quits with q', {timeout: 60_000}, async () => {
    const file = join(dir, 'audit.jsonl')
    await writeFile(
      file,
      jsonl(
        requestEvents({
          id: 'req_0a1b2c3d',
          at: Date.now() - 5000,
          attempts: [
            {model: 'openai/gpt-5.2', status: 503},
            {model: 'gemini/gemini-2.5-flash', status: 200},
          ],
        }),
      ),
    )
    let output = ''
    let exitCode: number | undefined
    // No CI variable: Ink draws live frames only outside CI.
    pty = spawn(process.execPath, [RUN_JS, 'metrics', 'tail', '--file', file], {
      cwd: dir,
      cols: 80,
      rows: 24,
      name: 'xterm-256color',
      env: {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, NODE_OPTIONS: ''},
    })
    pty.onData((data) => (output += data))
    const exited = new Promise<number>((resolve) => pty!.onExit(({exitCode: code}) => resolve((exitCode = code))))
    // eslint-disable-next-line no-control-regex
    const screen = () => output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 30_000
      while (!pattern.test(screen())) {
        if (exitCode !== undefined) throw new Error(`exited with ${exitCode}; screen:\n${screen()}`)
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen:\n${screen()}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    }
    await waitFor(/Open-LLM Router\s+tailing /)
    await waitFor(/0a1b2c\s+coding\/high\s+gpt-5\.2 ✗503 → gemini-2\.5-flash ✓/)
    await waitFor(/gemini\/gemini-2\.5-flash\s+● ok/)
    await appendFile(
      file,
      jsonl(
        requestEvents({
          id: 'req_9f8e7d6c',
          at: Date.now(),
          task: 'thinking',
          complexity: 'low',
          attempts: [{model: 'anthropic/claude-sonnet-4.5', status: 200}],
        }),
      ),
    )
    await waitFor(/9f8e7d\s+thinking\/low\s+anthropic\/claude-sonnet-4\.5 ✓/)
    pty.write('?')
    await waitFor(/pause or resume the decision log/)
    pty.write('q')
    expect(await exited).toBe(0)
  })
})
