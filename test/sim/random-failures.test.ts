import {describe, expect, it} from 'vitest'

import {startSim, type SimOptions} from '../../src/sim/index.js'
import {postJson} from './support.js'

const chat = {model: 'm', messages: [{role: 'user', content: 'x'}]}

/** Sends `count` sequential requests and returns each outcome: the status, or `error` for a lost connection. */
async function outcomes(options: SimOptions, count: number): Promise<Array<number | 'error'>> {
  const sim = await startSim(options)
  try {
    const results: Array<number | 'error'> = []
    for (let i = 0; i < count; i++) {
      try {
        const response = await postJson(`${sim.url}/v1/chat/completions`, chat)
        await response.arrayBuffer()
        results.push(response.status)
      } catch {
        results.push('error')
      }
    }
    return results
  } finally {
    await sim.close()
  }
}

describe('seeded random failures', () => {
  it('fails the same requests in the same way for the same seed', async () => {
    const options = {failureRate: 0.4, failureKinds: ['429', '503', 'reset'] as const, seed: 42}
    const first = await outcomes({...options, failureKinds: [...options.failureKinds]}, 40)
    const second = await outcomes({...options, failureKinds: [...options.failureKinds]}, 40)
    expect(second).toEqual(first)
    const failures = first.filter((outcome) => outcome !== 200)
    expect(failures.length).toBeGreaterThan(5)
    expect(failures.length).toBeLessThan(30)
    expect(new Set(failures)).toEqual(new Set([429, 503, 'error']))
  })

  it('gives a different sequence for a different seed', async () => {
    const a = await outcomes({failureRate: 0.5, failureKinds: ['503'], seed: 1}, 30)
    const b = await outcomes({failureRate: 0.5, failureKinds: ['503'], seed: 2}, 30)
    expect(b).not.toEqual(a)
  })

  it('keeps the failure sequence when jitter is turned on', async () => {
    const plain = await outcomes({failureRate: 0.5, failureKinds: ['500'], seed: 9}, 20)
    const jittered = await outcomes({failureRate: 0.5, failureKinds: ['500'], seed: 9, jitterMs: 3}, 20)
    expect(jittered).toEqual(plain)
  })

  it('fails every request at rate 1 and none at rate 0', async () => {
    expect(await outcomes({failureRate: 1, failureKinds: ['502']}, 5)).toEqual([502, 502, 502, 502, 502])
    expect(await outcomes({failureRate: 0}, 5)).toEqual([200, 200, 200, 200, 200])
  })

  it('draws 429, 500 and 503 by default and records them as unscripted', async () => {
    const sim = await startSim({failureRate: 1, seed: 3})
    try {
      const statuses = new Set<number>()
      for (let i = 0; i < 30; i++) {
        const response = await postJson(`${sim.url}/v1/chat/completions`, chat)
        await response.arrayBuffer()
        statuses.add(response.status)
      }
      expect(statuses).toEqual(new Set([429, 500, 503]))
      expect(sim.requests.every((record) => !record.scripted && ['429', '500', '503'].includes(record.behaviour))).toBe(
        true,
      )
    } finally {
      await sim.close()
    }
  })

  it('applies scripted behaviours before random failures', async () => {
    const sim = await startSim({failureRate: 1, failureKinds: ['503']})
    try {
      sim.script([{kind: 'ok'}])
      const first = await postJson(`${sim.url}/v1/chat/completions`, chat)
      expect(first.status).toBe(200)
      await first.arrayBuffer()
      const second = await postJson(`${sim.url}/v1/chat/completions`, chat)
      expect(second.status).toBe(503)
    } finally {
      await sim.close()
    }
  })
})
