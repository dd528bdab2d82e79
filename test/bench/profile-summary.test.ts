import {describe, expect, it} from 'vitest'

import {areaOf, formatSummary, summarizeProfile, type CpuProfile} from '../../bench/profile-summary.js'

const ROOT = 'file:///work/app'

/**
 * A small profile: root → handle (dist/gateway/app.js) → decideRoute (dist/core/routing/decide.js) → a JSON.parse
 * frame (native), plus undici and idle samples. Samples every 100 µs from t = 1000.
 */
function profile(): CpuProfile {
  const frame = (functionName: string, url = '', lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
    columnNumber: 0,
    scriptId: '1',
  })
  return {
    nodes: [
      {id: 1, callFrame: frame('(root)'), children: [2, 5, 6]},
      {id: 2, callFrame: frame('handle', `${ROOT}/dist/gateway/app.js`, 91), children: [3]},
      {id: 3, callFrame: frame('decideRoute', `${ROOT}/dist/core/routing/decide.js`, 26), children: [4]},
      {id: 4, callFrame: frame('parse'), children: []},
      {id: 5, callFrame: frame('Request', `${ROOT}/node_modules/undici/lib/core/request.js`, 47), children: []},
      {id: 6, callFrame: frame('(idle)'), children: []},
    ],
    startTime: 1000,
    endTime: 2000,
    // handle, decideRoute ×2, parse, undici, idle ×3, undici, handle
    samples: [2, 3, 3, 4, 5, 6, 6, 6, 5, 2],
    timeDeltas: [0, 100, 100, 100, 100, 100, 100, 100, 100, 100],
  }
}

describe('profile summary', () => {
  it('charges each sample to its own function as self time and to the project functions above it as inclusive time', () => {
    const summary = summarizeProfile(profile())
    expect(summary.idleUs).toBe(300)
    expect(summary.busyUs).toBe(700)
    const self = Object.fromEntries(summary.self.map((e) => [e.name, e.us]))
    expect(self).toEqual({
      'handle src/gateway/app.ts:92': 200,
      'decideRoute src/core/routing/decide.ts:27': 200,
      parse: 100,
      'Request undici:48': 200,
    })
    const inclusive = Object.fromEntries(summary.inclusive.map((e) => [e.name, e.us]))
    expect(inclusive).toEqual({'handle src/gateway/app.ts:92': 500, 'decideRoute src/core/routing/decide.ts:27': 300})
    expect(Object.fromEntries(summary.areas.map((e) => [e.name, e.us]))).toEqual({
      'src/gateway/app.ts': 200,
      'src/core/routing/decide.ts': 200,
      '(native)': 100,
      undici: 200,
    })
  })

  it('counts only the samples inside the given windows', () => {
    // Samples at 1100..1400 (decideRoute, decideRoute, parse, undici).
    const summary = summarizeProfile(profile(), {windows: [[1100, 1400]]})
    expect(summary.busyUs).toBe(400)
    expect(summary.self.map((e) => e.name)).toEqual([
      'decideRoute src/core/routing/decide.ts:27',
      'parse',
      'Request undici:48',
    ])
  })

  it('names the package, the Node.js module or the source file a frame belongs to', () => {
    const at = (url: string, functionName = 'f') => areaOf({functionName, url, lineNumber: 0, columnNumber: 0})
    expect(at('file:///x/node_modules/@fastify/ajv-compiler/index.js')).toBe('@fastify/ajv-compiler')
    expect(at('node:internal/streams/readable')).toBe('node:internal/streams')
    expect(at('node:events')).toBe('node:events')
    expect(at('file:///x/dist/gateway/proxy.js')).toBe('src/gateway/proxy.ts')
    expect(at('', '(garbage collector)')).toBe('(garbage collector)')
    expect(at('', 'writev')).toBe('(native)')
  })

  it('prints the three tables with time per request', () => {
    const text = formatSummary(summarizeProfile(profile()), {top: 2, requests: 10})
    expect(text).toContain('busy 1 ms over 10 requests = 70.0 µs/request')
    expect(text).toMatch(/top 2 functions by self time:\n.*20\.00 µs\/req {2}handle src\/gateway\/app\.ts:92/)
    expect(text).toContain("inclusive time of the project's own functions:")
  })
})
