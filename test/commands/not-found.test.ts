import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/run-cli.js'

describe('a command that does not exist', () => {
  it('suggests the nearest command and exits 2', async () => {
    const result = await runCli(['serv'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('router: "serv" is not a router command.')
    expect(result.stderr).toContain('Did you mean: router serve')
  })

  it('keeps the words typed after a misspelt topic command as its arguments', async () => {
    const result = await runCli(['route', 'explian', 'hi', '--json'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Did you mean: router route explain hi --json')
  })

  it('says only where to look when nothing is close', async () => {
    const result = await runCli(['frobnicate'])
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain('Did you mean')
    expect(result.stderr).toContain('Run "router --help" for the list of commands.')
  })
})
