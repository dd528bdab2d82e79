/**
 * Schemas of the simulated provider (`router sim`): the failure kinds it can inject and the scripted behaviours that
 * tests queue through `SimServer.script()` or `POST /_sim/script`. Types are inferred from these.
 */
import {z} from 'zod'

/**
 * Failures the simulator can inject, at random (`failureKinds`) or by script. The statuses answer with the protocol's
 * own error body for that status (`529` is Anthropic's "overloaded"); `quota` is the account's billing failure (OpenAI
 * 429 `insufficient_quota`, Anthropic's "credit balance is too low", the ChatGPT plan's usage limit).
 */
export const FailureKindSchema = z.enum([
  '429',
  '500',
  '502',
  '503',
  '504',
  '529',
  'quota',
  'reset',
  'drop',
  'hang',
  'slow_headers',
])
export type FailureKind = z.infer<typeof FailureKindSchema>
export const FAILURE_KINDS = FailureKindSchema.options

/** Every behaviour kind: the failure kinds, a normal answer, and the two in-stream error events. */
export const BehaviourKindSchema = z.enum([...FAILURE_KINDS, 'ok', 'response_failed', 'error_event'])
export type BehaviourKind = z.infer<typeof BehaviourKindSchema>

/**
 * A tool call the simulator makes instead of its own answer: `name` must be one of the request's tools, `arguments`
 * the JSON object it is called with (`{}` for a tool that takes none).
 */
export const SimToolCallSchema = z.strictObject({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()),
})
export type SimToolCall = z.infer<typeof SimToolCallSchema>

/**
 * One scripted behaviour, applied to exactly one request. `status` answers with that status and a protocol-shaped
 * error body (or `body`); `kind` picks a failure (`reset` destroys the socket before headers, `drop` streams
 * `afterChunks` chunks then destroys the socket, `hang` never answers, `slow_headers` waits `delayMs` before the
 * headers, `response_failed`/`error_event` end a stream with that event after `afterChunks` chunks). `latencyMs`
 * overrides the server's time to headers for this request. `toolCall` answers with that call (it waits for the first
 * request that offers the tool: requests before it are answered as if nothing were scripted). `{}` and
 * `{kind: 'ok'}` answer normally.
 */
export const SimBehaviourSchema = z
  .strictObject({
    kind: BehaviourKindSchema.optional(),
    status: z.number().int().min(200).max(599).optional(),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    retryAfter: z.number().nonnegative().optional(),
    afterChunks: z.number().int().nonnegative().optional(),
    delayMs: z.number().nonnegative().optional(),
    latencyMs: z.number().nonnegative().optional(),
    toolCall: SimToolCallSchema.optional(),
  })
  .refine((b) => b.status === undefined || b.kind === undefined || b.kind === 'ok' || b.kind === 'slow_headers', {
    message: 'give either "status" or a failure "kind", not both',
  })
  .refine((b) => b.toolCall === undefined || (b.status === undefined && (b.kind === undefined || b.kind === 'ok')), {
    message: '"toolCall" is an answer: it goes with no "status" and no failure "kind"',
  })
export type SimBehaviour = z.infer<typeof SimBehaviourSchema>

/** The body of `POST /_sim/script`: a list of behaviours, consumed one per request in order. */
export const SimScriptSchema = z.array(SimBehaviourSchema)
