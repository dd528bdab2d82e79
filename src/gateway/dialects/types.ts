/**
 * A client dialect: what the gateway says and reads differently for the clients of one API (OpenAI's chat completions
 * and its other endpoints, OpenAI's Responses, Anthropic's Messages), as one object per API (chat.ts, responses.ts,
 * messages.ts). The request path picks a request's dialect once, by its path (`dialectOf`, index.ts), and asks it.
 */
import type {IncomingHttpHeaders} from 'node:http'
import type {FastifyInstance} from 'fastify'

import type {Endpoint} from '../../core/routing/schema.js'
import type {GatewayError} from '../errors.js'

/** Client request headers a dialect passes on to the adapters (`AdapterRequestContext`). */
export interface PassedHeaders {
  /** The client's `anthropic-beta` header (Messages clients), for Anthropic. */
  anthropicBeta?: string
}

export interface ClientDialect {
  readonly name: 'chat' | 'responses' | 'messages'
  /**
   * The path prefix of this API's routes (`/v1/messages`): every request whose path starts with it speaks this
   * dialect, its errors and credentials included; null for the default dialect (every other path).
   */
  readonly prefix: string | null
  /** The dedicated endpoints of this API, by path after `/v1`. */
  readonly endpoints: ReadonlyArray<readonly [path: string, endpoint: Endpoint]>
  /** Routes of this API the gateway answers itself (registered with the app; Messages' `count_tokens`). */
  readonly extraRoutes?: (app: FastifyInstance) => void
  /**
   * The body of a gateway error (sent as JSON); `router` is the `_router` object of a routed request, which goes into
   * the body where this API's errors carry it.
   */
  errorBody(error: GatewayError, router?: Record<string, unknown>): object
  /**
   * An upstream's error answer as this API's clients read errors: the text as the adapter left it (OpenAI's shape,
   * `_router` added) in, the text to send out.
   */
  upstreamError(status: number, text: string): string
  /** The SSE event that ends a stream broken after its first event, in the shape this API's clients raise as an error. */
  streamError(message: string): string
  /** The client's credential as an `Authorization` value, from the header this API's clients send it in. */
  authorization(headers: IncomingHttpHeaders): string | undefined
  /** Copies the client headers the adapters need into `into` (nothing for most dialects). */
  passHeaders(headers: IncomingHttpHeaders, into: PassedHeaders): void
}
