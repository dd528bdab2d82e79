/** The simulated provider: a fake OpenAI / Anthropic / ChatGPT-backend upstream for users, tests and benchmarks. */
export {startSim} from './server.js'
export type {FailureKind, SimBehaviour, SimOptions, SimProtocol, SimRequestRecord, SimServer} from './types.js'
export {FAILURE_KINDS, SimBehaviourSchema, SimScriptSchema} from '../core/sim/schema.js'
