/**
 * The two parts of undici the gateway uses: the connection-pooling `Agent` and the error classes. undici's index also
 * loads fetch, WebSocket, EventSource, the HTTP cache and the cookie helpers, and the cookie helpers load Node's own
 * bundled copy of undici as well: about 9 MB of resident memory at start that the gateway never uses. These are the
 * very modules the index loads (the classes are the same, `instanceof` works across both), found by their paths in
 * the package; `test/gateway/undici.test.ts` fails if an undici release moves them.
 */
import {createRequire} from 'node:module'
import type * as Undici from 'undici'

const require = createRequire(import.meta.url)

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent
export type Agent = Undici.Agent
export const errors = require('undici/lib/core/errors.js') as typeof Undici.errors
export type {Dispatcher} from 'undici'
