import {afterEach, describe, expect, it, vi} from 'vitest'

import {demoProfile, startDemo, type Demo} from '../../src/cli/demo.js'
import {startTestGateway, type TestGateway} from '../helpers/gateway.js'

let demo: Demo | undefined
let gateway: TestGateway | undefined

afterEach(async () => {
  await gateway?.close()
  await demo?.close()
})

describe('the demo', () => {
  it('sends chat, Codex-shaped Responses and Claude Code-shaped Messages requests that the gateway serves', async () => {
    demo = await startDemo({seed: 3})
    gateway = await startTestGateway(demoProfile(Object.fromEntries(demo.sims.map((sim) => [sim.name, sim.url]))))
    const stop = demo.startTraffic(gateway.url, {intervalMs: 40})
    try {
      const served = (endpoint: string) =>
        gateway!.events.filter(
          (event) => event.event === 'proxy_terminal' && event.endpoint === endpoint && event.outcome === 'success',
        ).length
      await vi.waitFor(
        () => {
          for (const endpoint of ['chat.completions', 'responses', 'messages'])
            expect(served(endpoint), endpoint).toBeGreaterThan(0)
        },
        {timeout: 30_000, interval: 100},
      )
    } finally {
      stop()
    }
    // An agent's request carries its tools and long instructions to the provider.
    const agentShaped = demo.sims
      .flatMap((sim) => sim.requests)
      .filter((record) => JSON.stringify(record.body).includes('read_file'))
    expect(agentShaped.length).toBeGreaterThan(0)
  }, 40_000)
})
