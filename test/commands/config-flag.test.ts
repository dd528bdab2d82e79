/**
 * Every command that reads or writes a config or profile file takes it from `--config FILE`, and still from the name
 * it had before (`--path` on serve, route and profile commands, `--profile` on provider commands). The flags are
 * parsed by oclif's own parser in process (a spawned CLI per command and spelling would add seconds for nothing);
 * a few commands also run as a user runs them.
 */
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type Command, Parser} from '@oclif/core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import ProfileCompile from '../../src/commands/profile/compile.js'
import ProfileInit from '../../src/commands/profile/init.js'
import ProfileValidate from '../../src/commands/profile/validate.js'
import ProviderList from '../../src/commands/provider/list.js'
import ProviderLogin from '../../src/commands/provider/login.js'
import ProviderLogout from '../../src/commands/provider/logout.js'
import RouteExplain from '../../src/commands/route/explain.js'
import RouteReplay from '../../src/commands/route/replay.js'
import Serve from '../../src/commands/serve.js'
import {runCli} from '../helpers/run-cli.js'

const COMMANDS: Array<{id: string; command: typeof Command; args: string[]; alias: string}> = [
  {id: 'serve', command: Serve, args: [], alias: '--path'},
  {id: 'route explain', command: RouteExplain, args: ['hello'], alias: '--path'},
  {id: 'route replay', command: RouteReplay, args: ['audit.jsonl'], alias: '--path'},
  {id: 'profile validate', command: ProfileValidate, args: [], alias: '--path'},
  {id: 'profile compile', command: ProfileCompile, args: [], alias: '--path'},
  {id: 'profile init', command: ProfileInit, args: [], alias: '--path'},
  {id: 'provider login', command: ProviderLogin, args: ['openai'], alias: '--profile'},
  {id: 'provider list', command: ProviderList, args: [], alias: '--profile'},
  {id: 'provider logout', command: ProviderLogout, args: ['openai'], alias: '--profile'},
]

describe('the config flag of every command that reads or writes a config file', () => {
  for (const {id, command, args, alias} of COMMANDS) {
    for (const flag of ['--config', alias]) {
      it(`router ${id} takes the file from ${flag}`, async () => {
        const {flags} = await Parser.parse([...args, flag, 'team.yaml'], {
          flags: command.flags,
          args: command.args,
          strict: true,
        })
        expect(flags.config).toBe('team.yaml')
      })
    }
  }

  it('keeps --profile NAME of profile init a built-in profile name, apart from the file', async () => {
    const {flags} = await Parser.parse(['--profile', 'cost', '--config', 'team.yaml'], {
      flags: ProfileInit.flags,
      args: ProfileInit.args,
    })
    expect(flags).toMatchObject({profile: 'cost', config: 'team.yaml'})
  })
})

describe('commands run with --config', () => {
  let dir: string
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'router-config-flag-'))
    await mkdir(join(dir, 'home'))
    // No ./router.profile.yaml in `dir` and no ROUTING_CONFIG_PATH: only the flag names the file.
    env = {HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), OPENAI_API_KEY: 'sk-test-000000'}
  })

  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it.concurrent('router serve reports the missing file that --config names', async () => {
    const result = await runCli(['serve', '--no-tui', '--port', '0', '--config', 'missing.yaml'], {cwd: dir, env})
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('missing.yaml')
  })

  it.concurrent(
    'router profile init writes the file that --config names, from the built-in profile that --profile names',
    async () => {
      const file = join(dir, 'team.profile.yaml')
      const result = await runCli(['profile', 'init', '--profile', 'cost', '--config', file], {cwd: dir, env})
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`Wrote ${file} (profile \`cost\``)
      expect(existsSync(file)).toBe(true)
    },
  )

  it.concurrent('router provider login writes the account into the file that --config names', async () => {
    const file = join(dir, 'login.profile.yaml')
    const result = await runCli(
      ['provider', 'login', 'openai', '--apikey-env', 'OPENAI_API_KEY', '--config', file, '--json'],
      {cwd: dir, env},
    )
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({account: 'openai', profile: file})
    expect(existsSync(file)).toBe(true)
  })
})
