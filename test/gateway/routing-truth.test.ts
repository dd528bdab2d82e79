/**
 * What the router decides on facts only, through the gateway with the official clients: tools that only one provider
 * runs keep a request on that provider's models, the model names coding agents send are mapped by the built-in
 * profile, `auto` works on every endpoint, and a model nobody describes is never refused on a guessed figure. The
 * profile is the one `router provider login` writes, run as a user runs it.
 */
import {promises as fs} from 'node:fs'
import path from 'node:path'

import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {afterAll, describe, expect} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {CODEX_TOOLS} from '../helpers/agent-tools.js'
import {gatewayTest, type TestGateway} from '../helpers/gateway.js'
import {makeTempHome, runRouter, type TempHome} from '../helpers/provider-cli.js'

type RouteDecisionEvent = Extract<AuditEvent, {event: 'route_decision'}>

/** The route_decision event of the last request the gateway answered. */
function lastDecision(gateway: TestGateway): RouteDecisionEvent {
  return gateway.events.findLast((e): e is RouteDecisionEvent => e.event === 'route_decision')!
}

let home: TempHome | undefined
const env = {OPENAI_KEY: 'sk-oai-000000', ANTHROPIC_KEY: 'sk-ant-000000'}

const it = gatewayTest({
  sims: {oai: {protocol: 'openai', apiKey: env.OPENAI_KEY}, claude: {protocol: 'anthropic', apiKey: env.ANTHROPIC_KEY}},
  config: async ({oai, claude}) => {
    home = await makeTempHome()
    for (const [provider, sim, variable] of [
      ['openai', oai, 'OPENAI_KEY'],
      ['anthropic', claude, 'ANTHROPIC_KEY'],
    ] as const) {
      const login = await runRouter(
        ['provider', 'login', provider, '--apikey-env', variable, '--base-url', `${sim.url}/v1`],
        {cwd: home.dir, env: home.env},
      )
      expect(login.code, login.stderr).toBe(0)
    }
    return fs.readFile(path.join(home.dir, 'router.profile.yaml'), 'utf8')
  },
  options: {env},
})
  .extend(
    'openai',
    {scope: 'file'},
    ({gateway}) =>
      () =>
        new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0}),
  )
  .extend(
    'anthropic',
    {scope: 'file'},
    ({gateway}) =>
      () =>
        new Anthropic({baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0}),
  )

describe('a profile written by `router provider login` for OpenAI and Anthropic', () => {
  // Two runs of the CLI write the profile: slow on a loaded machine, so not in the first test's time.
  it.beforeAll(async ({gateway}) => void gateway, 60_000)

  afterAll(async () => {
    await home?.cleanup()
  })

  /** Codex CLI's turn shape, forced to coding/xhigh so that the ranking is the profile's, not the classifier's. */
  const codexTurn = (tools: Array<Record<string, unknown>>) =>
    ({
      model: 'auto',
      input: 'Refactor the parser into modules.',
      tools,
      router: {task: 'coding', complexity: 'xhigh'},
    }) as never

  it("sends Codex CLI's tools with its hosted web_search to an OpenAI model although an Anthropic model ranks higher", async ({
    gateway,
    openai,
    sims: {oai},
  }) => {
    // Functions, a custom tool and a namespace of functions travel to every provider.
    await openai().responses.create(codexTurn(CODEX_TOOLS.slice(0, 3)))
    expect(lastDecision(gateway).selected_model).toBe('anthropic/claude-opus-4.5')

    const response = await openai().responses.create(codexTurn(CODEX_TOOLS))
    expect(response.output_text).toContain('sim:oai')
    const decision = lastDecision(gateway)
    expect(decision.selected_model).toBe('openai/gpt-5.2')
    expect(decision.candidates.find((c) => c.model === 'anthropic/claude-opus-4.5')).toMatchObject({
      excluded: true,
      exclusion: 'hosted_tool',
    })
    expect(await gateway.terminal(decision.request_id)).toMatchObject({outcome: 'success', model: 'openai/gpt-5.2'})
    // OpenAI got the tools as Codex sent them.
    expect((oai.requests.at(-1)!.body as {tools: unknown}).tools).toEqual(CODEX_TOOLS)
  })

  it('answers a 400 naming the tool when no allowed model runs it', async ({openai}) => {
    const error = await openai()
      .responses.create({...(codexTurn(CODEX_TOOLS) as object), allowed_models: ['anthropic/*']} as never)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    const body = (error as InstanceType<typeof OpenAI.BadRequestError>).error as {
      message: string
      code: string
      param: string
    }
    expect(body.code).toBe('no_candidates')
    expect(body.message).toContain('the "web_search" tool is OpenAI\'s: only openai and openai-codex accounts run it')
    expect(body.message).toContain('not in allowed_models')
  })

  it("serves Claude Code's own model names: a newer name through the profile's aliases, a known snapshot as itself", async ({
    gateway,
    anthropic,
  }) => {
    const message = await anthropic().messages.create({
      model: 'claude-opus-4-8',
      max_tokens: 200,
      messages: [{role: 'user', content: 'say hi'}],
    })
    expect(message.type).toBe('message')
    expect(lastDecision(gateway)).toMatchObject({
      source: 'auto',
      requested_model: 'claude-opus-4-8',
      model_alias: {pattern: 'claude-*', target: 'auto'},
    })

    await anthropic().messages.create({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 100,
      messages: [{role: 'user', content: 'say hi'}],
    })
    expect(lastDecision(gateway)).toMatchObject({
      source: 'request',
      requested_model: 'claude-haiku-4-5-20251001',
      model_alias: null,
      selected_model: 'anthropic/claude-haiku-4.5',
    })
  })

  it("serves Codex CLI's gpt-5.3-codex, which no account here serves, through the profile's aliases", async ({
    gateway,
    openai,
  }) => {
    const response = await openai().responses.create({model: 'gpt-5.3-codex', input: 'List three sorting algorithms.'})
    expect(response.status).toBe('completed')
    expect(lastDecision(gateway)).toMatchObject({
      source: 'auto',
      requested_model: 'gpt-5.3-codex',
      model_alias: {pattern: 'gpt-*', target: 'auto'},
    })
  })

  it('routes auto and bare ids on the embeddings and images endpoints', async ({gateway, openai, sims: {oai}}) => {
    const auto = await openai().embeddings.create({model: 'auto', input: 'hello'})
    expect(auto.data[0].embedding.length).toBeGreaterThan(0)
    expect(lastDecision(gateway).selected_model).toBe('openai/text-embedding-3-small')

    await openai().embeddings.create({model: 'text-embedding-3-small', input: 'hello'})
    expect(lastDecision(gateway)).toMatchObject({source: 'request', selected_model: 'openai/text-embedding-3-small'})
    expect(oai.requests.at(-1)).toMatchObject({path: '/v1/embeddings', body: {model: 'text-embedding-3-small'}})

    const image = await openai().images.generate({model: 'auto', prompt: 'a lighthouse at dusk'})
    expect(image.data?.length).toBeGreaterThan(0)
    expect(lastDecision(gateway).selected_model).toBe('openai/gpt-image-1')
  })

  it('lists every model it can serve, with its kind', async ({openai}) => {
    const models: Array<{id: string; kind?: string}> = []
    for await (const model of openai().models.list()) models.push(model as {id: string; kind?: string})
    const kinds = Object.fromEntries(models.map((m) => [m.id, m.kind]))
    expect(kinds).toMatchObject({
      auto: 'auto',
      'openai/gpt-5-mini': 'chat',
      'anthropic/claude-opus-4.5': 'chat',
      'openai/text-embedding-3-small': 'embeddings',
      'openai/text-embedding-3-large': 'embeddings',
      'openai/gpt-image-1': 'image_generation',
    })
    // Only what an account serves: no Gemini model without a Gemini account.
    expect(models.some((m) => m.id.startsWith('gemini/'))).toBe(false)
  })
})

/** One openai-compatible account, with a model no catalog describes. */
const rawConfig = gatewayTest({
  sims: {local: {protocol: 'openai'}},
  config: ({local}) => `
default_model: openai-compatible/my-llama
accounts:
  - {name: local, provider: openai-compatible, base_url: ${local.url}/v1, api_key: sk-local-0000}
`,
})

describe('a raw config whose model nobody describes', () => {
  rawConfig(
    'serves a 51k-token Claude Code turn instead of refusing it on a guessed context window',
    async ({gateway}) => {
      const anthropic = new Anthropic({baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0})
      const turn = 'Here is the file you asked about:\n' + 'const answer = compute(input) // keep going\n'.repeat(4_700)
      const message = await anthropic.messages.create({
        model: 'my-llama',
        max_tokens: 1024,
        messages: [{role: 'user', content: `${turn}\nWhat does it do?`}],
      })
      expect(message.type).toBe('message')
      const decision = lastDecision(gateway)
      expect(decision).toMatchObject({selected_model: 'openai-compatible/my-llama', candidates: [{excluded: false}]})
      expect(await gateway.terminal(decision.request_id)).toMatchObject({outcome: 'success'})
    },
  )

  rawConfig('answers auto on /v1/embeddings with the model whose capabilities nobody gave', async ({gateway}) => {
    const openai = new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0})
    const embedding = await openai.embeddings.create({model: 'auto', input: 'hello'})
    expect(embedding.data).toHaveLength(1)
    expect(lastDecision(gateway).selected_model).toBe('openai-compatible/my-llama')
  })

  rawConfig("keeps the clear 400 with suggestions for a client's model name it has no alias for", async ({gateway}) => {
    const anthropic = new Anthropic({baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0})
    const error = await anthropic.messages
      .create({model: 'claude-opus-4-8', max_tokens: 100, messages: [{role: 'user', content: 'hi'}]})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    const body = (error as InstanceType<typeof Anthropic.BadRequestError>).error as {
      error: {type: string; message: string}
    }
    expect(body.error.message).toContain(
      'Model "claude-opus-4-8" is not configured. Configured models: openai-compatible/my-llama.',
    )
    expect(body.error.message).toContain('model_aliases')
  })
})
