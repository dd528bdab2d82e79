import * as undici from 'undici'
import {describe, expect, it} from 'vitest'

import {Agent, errors} from '../../src/gateway/undici.js'

describe("the gateway's undici parts", () => {
  it('are the classes undici itself exports, found where this undici release keeps them', () => {
    expect(Agent).toBe(undici.Agent)
    expect(errors).toBe(undici.errors)
    expect(new errors.BodyTimeoutError()).toBeInstanceOf(undici.errors.BodyTimeoutError)
    expect(typeof Agent.prototype.dispatch).toBe('function')
  })
})
