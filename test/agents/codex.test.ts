/**
 * Codex CLI (the pinned `@openai/codex`) through `router serve`, on each kind of upstream: `codex exec` with the
 * configuration of docs/provider-adapters.md, one turn in which the simulated model calls `exec_command` to read a
 * file, Codex runs it and sends the output back, and the model answers from it.
 */
import {writeFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {describe, expect, test as base, vi} from 'vitest'

import {
  cliEnvironment,
  docsBlock,
  runToEnd,
  SECRET,
  servedBy,
  startAgentStack,
  toolResults,
  UPSTREAM_PATHS,
  UPSTREAMS,
  type AgentStack,
  type UpstreamKind,
} from './agent-stack.js'

const CODEX_JS = createRequire(import.meta.url).resolve('@openai/codex/bin/codex.js')

const test = base.extend<{stack: AgentStack}>({
  stack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const stack = await startAgentStack()
      await use(stack)
      await stack.close()
    },
    {scope: 'file'},
  ],
})

/** One `codex exec` turn on `kind`, with the documented configuration; what it printed and what went upstream. */
async function codexTurn(stack: AgentStack, kind: UpstreamKind) {
  const home = await stack.tempDir('codex-home-')
  const work = await stack.tempDir('codex-work-')
  await writeFile(join(work, 'notes.txt'), `The secret word is ${SECRET}.\n`)
  const config = `${await docsBlock('codex-config', stack.gatewayUrl)}\n${await docsBlock('codex-offline', stack.gatewayUrl)}`
  await writeFile(join(home, 'config.toml'), config)
  const {clientModel} = UPSTREAMS[kind]
  await stack.sim.clearRequests()
  await stack.sim.script([{toolCall: {name: 'exec_command', arguments: {cmd: 'cat notes.txt'}}}])
  const auditBefore = (await stack.audit()).length
  const auditOfTurn = async () => (await stack.audit()).slice(auditBefore)
  const args = [
    CODEX_JS,
    'exec',
    '--skip-git-repo-check',
    ...(clientModel === 'auto' ? [] : ['-m', clientModel]),
    'What is the secret word in notes.txt?',
  ]
  const run = await runToEnd(process.execPath, args, {
    cwd: work,
    env: {...cliEnvironment(stack, home), CODEX_HOME: home, ROUTER_KEY: stack.routerKey},
  })
  return {run, requests: await stack.sim.requests(), auditOfTurn}
}

describe.each(Object.keys(UPSTREAMS) as UpstreamKind[])('Codex CLI through the router, %s upstream', (kind) => {
  test(`completes a turn with a tool round trip on ${UPSTREAMS[kind].label}`, {timeout: 90_000}, async ({stack}) => {
    const {run, requests, auditOfTurn} = await codexTurn(stack, kind)
    expect(run.code, run.stderr).toBe(0)
    // The answer Codex printed is the simulated model's, quoting the output of the command Codex ran.
    expect(run.stdout).toMatch(/\[sim:agents model=[^\]]+\] Tool result: ".*The secret word is pelican/)

    const upstream = requests.filter((record) => record.path === UPSTREAM_PATHS[kind].responses)
    expect(upstream.map((record) => record.status)).toEqual(upstream.map(() => 200))
    expect(upstream[0]).toMatchObject({scripted: true, behaviour: 'tool_call:exec_command'})
    expect(upstream.at(-1)!.stream).toBe(true)
    expect(toolResults(upstream.at(-1)!).join('\n')).toContain(`The secret word is ${SECRET}.`)

    // The audit log says which model served the turn and its follow-up.
    await vi.waitFor(async () =>
      expect(servedBy(await auditOfTurn(), 'responses', UPSTREAMS[kind].model).length).toBeGreaterThanOrEqual(2),
    )
    expect(stack.internetAttempts).toEqual([])
  })
})
