import {promises as fs} from 'node:fs'
import path from 'node:path'

import {spawn, type IPty} from 'node-pty'
import {parse} from 'yaml'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {startFakeOAuthServer, type FakeOAuthServer} from '../../helpers/fake-oauth-server.js'
import {BIN, makeTempHome, type TempHome} from '../../helpers/provider-cli.js'

const DOWN = '\x1b[B'
const ENTER = '\r'
const SPACE = ' '

let home: TempHome
let profile: string

beforeEach(async () => {
  home = await makeTempHome('olr-pty-')
  profile = path.join(home.dir, 'router.profile.yaml')
})
afterEach(async () => {
  await home.cleanup()
})

/** A `router` process in a pseudo-terminal, with its screen output as plain text. */
class Terminal {
  private output = ''
  private exitCode: number | undefined
  private readonly pty: IPty
  readonly exited: Promise<number>

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.pty = spawn(process.execPath, [BIN, ...args], {
      cwd: home.dir,
      env: env as Record<string, string>,
      cols: 160,
      rows: 50,
      name: 'xterm',
    })
    this.pty.onData((data) => (this.output += data))
    this.exited = new Promise((resolve) =>
      this.pty.onExit(({exitCode}) => {
        this.exitCode = exitCode
        resolve(exitCode)
      }),
    )
  }

  /** Everything printed so far, without terminal escape sequences. */
  get text(): string {
    // eslint-disable-next-line no-control-regex
    return this.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
  }

  /** Waits until the screen shows `pattern`, then returns the match; fails at once if the process ended without it. */
  async waitFor(pattern: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const text = this.text
      const match =
        typeof pattern === 'string' ? (text.includes(pattern) ? pattern : undefined) : pattern.exec(text)?.[0]
      if (match) return match
      if (this.exitCode !== undefined)
        throw new Error(`exited with ${this.exitCode} before showing ${String(pattern)}; screen:\n${text}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${text}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  write(keys: string): void {
    this.pty.write(keys)
  }

  kill(): void {
    this.pty.kill()
  }
}

describe('router provider login in a terminal', () => {
  it('asks for provider, name, masked key and models, then writes the account', async () => {
    const term = new Terminal(['provider', 'login', '--profile', profile], home.env)
    try {
      await term.waitFor('Which provider?')
      // openai, openai-codex, gemini: two down.
      term.write(DOWN + DOWN + ENTER)
      await term.waitFor('Account name')
      term.write(ENTER)
      await term.waitFor('Google Gemini API key')
      term.write('AIza-typed-secret-42' + ENTER)
      await term.waitFor('Models this account serves')
      // Pick the first two models of the list.
      term.write(SPACE + DOWN + SPACE + ENTER)
      await term.waitFor('Added account `gemini`')
      expect(await term.exited).toBe(0)
    } finally {
      term.kill()
    }
    expect(term.text).not.toContain('AIza-typed-secret-42')
    const {accounts} = parse(await fs.readFile(profile, 'utf8'))
    expect(accounts).toHaveLength(1)
    expect(accounts[0]).toMatchObject({name: 'gemini', provider: 'gemini'})
    expect(accounts[0].models).toHaveLength(2)
    expect(accounts[0].models.every((key: string) => key.startsWith('gemini/'))).toBe(true)
    const stored = JSON.parse(await fs.readFile(home.credentialsPath, 'utf8'))
    expect(stored.entries.gemini).toMatchObject({kind: 'api_key', api_key: 'AIza-typed-secret-42'})
  })

  it('offers the key already in the environment and saves only its name', async () => {
    const term = new Terminal(
      [
        'provider',
        'login',
        'openai',
        '--kind',
        'apikey',
        '--name',
        'team',
        '--models',
        'gpt-5-mini',
        '--profile',
        profile,
      ],
      {
        ...home.env,
        OPENAI_API_KEY: 'sk-from-env-77',
      },
    )
    try {
      await term.waitFor('Use the key in $OPENAI_API_KEY?')
      term.write(ENTER)
      await term.waitFor('Added account `team`')
      expect(await term.exited).toBe(0)
    } finally {
      term.kill()
    }
    expect(parse(await fs.readFile(profile, 'utf8')).accounts).toEqual([
      {name: 'team', provider: 'openai', api_key_env: 'OPENAI_API_KEY', models: ['openai/gpt-5-mini']},
    ])
    expect(term.text).not.toContain('sk-from-env-77')
  })

  it('ends with "Cancelled" and exit code 130 on Ctrl-C, writing nothing', async () => {
    const term = new Terminal(['provider', 'login', '--profile', profile], home.env)
    try {
      await term.waitFor('Which provider?')
      term.write('\x03')
      expect(await term.exited).toBe(130)
    } finally {
      term.kill()
    }
    expect(term.text).toContain('Cancelled; nothing was written.')
    await expect(fs.access(profile)).rejects.toThrow()
  })

  describe('ChatGPT sign-in without a browser', () => {
    let oauth: FakeOAuthServer
    beforeEach(async () => {
      oauth = await startFakeOAuthServer()
    })
    afterEach(async () => {
      await oauth.close()
    })

    it('accepts the redirect address pasted into the terminal', async () => {
      const term = new Terminal(
        [
          'provider',
          'login',
          'openai',
          '--kind',
          'chatgpt',
          '--name',
          'me',
          '--models',
          'gpt-5.2',
          '--no-browser',
          '--auth-url',
          oauth.authorizeUrl,
          '--token-url',
          oauth.tokenUrl,
          '--redirect-port',
          '0',
          '--profile',
          profile,
        ],
        home.env,
      )
      try {
        const url = await term.waitFor(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/)
        await term.waitFor('paste the address')
        // The user signs in on another machine; the browser there lands on a page that cannot load: they copy its address.
        const authorize = await fetch(url, {redirect: 'manual'})
        const landed = authorize.headers.get('location') as string
        term.write(landed + ENTER)
        await term.waitFor('Added account `me`')
        expect(await term.exited).toBe(0)
      } finally {
        term.kill()
      }
      expect(parse(await fs.readFile(profile, 'utf8')).accounts).toEqual([
        {name: 'me', provider: 'openai-codex', auth_mode: 'oauth', models: ['openai-codex/gpt-5.2']},
      ])
      const stored = JSON.parse(await fs.readFile(home.credentialsPath, 'utf8'))
      expect(stored.entries.me).toMatchObject({kind: 'oauth', refresh_token: 'refresh-1'})
    })
  })
})
