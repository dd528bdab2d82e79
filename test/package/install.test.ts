/**
 * The package as a user gets it: `npm pack` of this checkout (its built `dist/`), installed globally into a scratch
 * prefix with this machine's Node and npm, then the installed `router` run as a user would: `--help`, `route explain`
 * and `serve --demo` until it answers `/health`. The install must not warn about engines (a dependency that wants a
 * newer Node than `engines` promises), and the tarball must carry the licence and the docs the README links to.
 */
import {execFile, spawn} from 'node:child_process'
import {mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../..', import.meta.url))

let dir: string
let prefix: string
let install: {stdout: string; stderr: string}
let tarball: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-pack-'))
  prefix = join(dir, 'prefix')
  // --ignore-scripts: `npm test` has just built dist/; rebuilding it here would pull it from under other tests.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  })
  const [info] = JSON.parse(packed.stdout) as Array<{filename: string; files: Array<{path: string}>}>
  tarball = join(dir, info.filename)
  ;(globalThis as {packedFiles?: string[]}).packedFiles = info.files.map((f) => f.path)
  // --prefer-offline: the packages are in npm's cache since this checkout's own install.
  install = await run(
    'npm',
    ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    {
      cwd: dir,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {...process.env, npm_config_loglevel: 'warn'},
    },
  )
}, 300_000)

afterAll(async () => {
  if (dir) await rm(dir, {recursive: true, force: true})
})

const router = () => join(prefix, 'bin', 'router')
const env = () => ({PATH: process.env.PATH, HOME: dir, NODE_OPTIONS: ''})

describe('the published package', () => {
  it('ships the licence, the docs and the built CLI, and no sources or tests', () => {
    const files = (globalThis as {packedFiles?: string[]}).packedFiles ?? []
    expect(files).toContain('LICENSE')
    expect(files).toContain('docs/gateway.md')
    expect(files).toContain('README.md')
    expect(files).toContain('oclif.manifest.json')
    expect(files.some((f) => f.startsWith('dist/commands/'))).toBe(true)
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false)
  })

  it('installs globally on this Node without a warning about engines', () => {
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/EBADENGINE|Unsupported engine/)
  })

  it('runs router --help and route explain from the install', async () => {
    const help = await run(router(), ['--help'], {cwd: dir, env: env()})
    expect(help.stdout).toMatch(/serve/)
    expect(help.stdout).toMatch(/route explain|route/)
    const explain = await run(router(), ['route', 'explain', 'Implement a thread-safe LRU cache in Rust', '--json'], {
      cwd: dir,
      env: env(),
    })
    const decision = JSON.parse(explain.stdout) as {task: string; selected_model: string}
    expect(decision.task).toBe('coding')
    expect(decision.selected_model).toMatch(/\//)
  })

  it('starts serve --demo from the install and answers /health', async () => {
    const child = spawn(router(), ['serve', '--demo', '--no-tui', '--port', '0'], {cwd: dir, env: env()})
    try {
      let stderr = ''
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line within 30 s: ${stderr}`)), 30_000)
        const onData = (chunk: Buffer) => {
          stderr += chunk.toString()
          const match = /listening on (http:\/\/[^\s]+)/.exec(stderr)
          if (match) {
            clearTimeout(timer)
            resolve(match[1])
          }
        }
        child.stderr.on('data', onData)
        child.stdout.on('data', onData)
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
      })
      const health = (await (await fetch(`${url}/health`)).json()) as {status: string}
      expect(health.status).toBe('ok')
      expect(stderr).not.toMatch(/EBADENGINE|ExperimentalWarning/)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    expect(await readdir(dir)).toContain('prefix')
  })
})
