/**
 * Claude Code (the pinned `@anthropic-ai/claude-code`, its native binary) through `router serve`, on each kind of
 * upstream: `claude -p` with the variables of docs/provider-adapters.md, one turn in which the simulated model calls
 * `Read` on a file, Claude Code reads it and sends the result back, and the model answers from it.
 */
import {writeFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {describe, expect, test as base, vi} from 'vitest'

import {
  cliEnvironment,
  docsBlock,
  exportedVariables,
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

/**
 * The native binary of this platform's package (`@anthropic-ai/claude-code-linux-x64`, …). The wrapper's postinstall
 * only copies it over `bin/claude.exe`, and npm 11 may skip install scripts, so the tests run the binary itself.
 */
function claudeBinary(): string {
  const require = createRequire(import.meta.url)
  const wrapper = dirname(require.resolve('@anthropic-ai/claude-code/package.json'))
  const musl =
    process.platform === 'linux' &&
    (process.report.getReport() as {header?: {glibcVersionRuntime?: string}}).header?.glibcVersionRuntime === undefined
  const platform = `${process.platform}-${process.arch}${musl ? '-musl' : ''}`
  const native = createRequire(join(wrapper, 'package.json')).resolve(
    `@anthropic-ai/claude-code-${platform}/package.json`,
  )
  return join(dirname(native), process.platform === 'win32' ? 'claude.exe' : 'claude')
}

const CLAUDE = claudeBinary()

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

/** One `claude -p` turn on `kind`, with the documented variables; what it printed and what went upstream. */
async function claudeTurn(stack: AgentStack, kind: UpstreamKind) {
  const home = await stack.tempDir('claude-home-')
  const work = await stack.tempDir('claude-work-')
  const notes = join(work, 'notes.txt')
  await writeFile(notes, `The secret word is ${SECRET}.\n`)
  const vars = {ROUTER_KEY: stack.routerKey}
  const documented = {
    ...exportedVariables(await docsBlock('claude-code-env', stack.gatewayUrl), vars),
    ...exportedVariables(await docsBlock('claude-code-offline', stack.gatewayUrl), vars),
  }
  const {clientModel} = UPSTREAMS[kind]
  await stack.sim.clearRequests()
  await stack.sim.script([{toolCall: {name: 'Read', arguments: {file_path: notes}}}])
  const auditBefore = (await stack.audit()).length
  const args = [
    '-p',
    'What is the secret word in notes.txt?',
    ...(clientModel === 'auto' ? [] : ['--model', clientModel]),
  ]
  const run = await runToEnd(CLAUDE, args, {cwd: work, env: {...cliEnvironment(stack, home), ...documented}})
  return {run, requests: await stack.sim.requests(), auditOfTurn: async () => (await stack.audit()).slice(auditBefore)}
}

describe.each(Object.keys(UPSTREAMS) as UpstreamKind[])('Claude Code through the router, %s upstream', (kind) => {
  test(`completes a turn with a tool round trip on ${UPSTREAMS[kind].label}`, {timeout: 90_000}, async ({stack}) => {
    const {run, requests, auditOfTurn} = await claudeTurn(stack, kind)
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0)
    // The answer Claude Code printed is the simulated model's, quoting the file Claude Code read.
    expect(run.stdout).toMatch(/\[sim:agents model=[^\]]+\] Tool result: ".*The secret word is pelican/)

    const upstream = requests.filter((record) => record.path === UPSTREAM_PATHS[kind].messages)
    expect(upstream.map((record) => record.status)).toEqual(upstream.map(() => 200))
    const turn = upstream.findIndex((record) => record.scripted)
    expect(upstream[turn]).toMatchObject({behaviour: 'tool_call:Read'})
    expect(toolResults(upstream[turn + 1]).join('\n')).toContain(`The secret word is ${SECRET}.`)
    if (kind === 'anthropic') {
      // Claude Code writes system turns for `auto`; Claude Sonnet 4.5 has none, so they joined `system`.
      const body = upstream[turn].body as {system: Array<{text: string}>; messages: Array<{role: string}>}
      expect(body.messages.map((message) => message.role)).not.toContain('system')
      expect(body.system.map((block) => block.text).join('\n')).toContain('Available agent types')
    }

    // The audit log says which model served the turn and its follow-up.
    await vi.waitFor(async () =>
      expect(servedBy(await auditOfTurn(), 'messages', UPSTREAMS[kind].model).length).toBeGreaterThanOrEqual(2),
    )
    expect(stack.internetAttempts).toEqual([])
  })
})
