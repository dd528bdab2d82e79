/**
 * What a protocol handler returns: a JSON body, an SSE stream as a list of frames, or raw bytes. The server applies
 * latency, pacing and the scripted or random behaviour to it; handlers never touch sockets.
 */
import type {IncomingHttpHeaders} from 'node:http'

import type {SimToolCall} from '../core/sim/schema.js'
import {formatSse} from '../core/sse.js'
import type {PromptCache} from './prompt-cache.js'

/** A complete JSON answer. `tokens` (output tokens) lets `tokensPerSecond` pace non-streaming answers too. */
export interface JsonAnswer {
  type: 'json'
  status: number
  body: unknown
  headers?: Record<string, string>
  tokens?: number
}

/** One SSE frame. `chunk` frames carry generated content: pacing and `afterChunks` count them. */
export interface Frame {
  text: string
  chunk: boolean
}

/** An SSE answer, plus how this protocol reports a failure inside a stream. */
export interface StreamAnswer {
  type: 'stream'
  frames: Frame[]
  /**
   * The frame that ends the stream on an in-stream failure (`error_event` or `response_failed`), sent after `sent`
   * frames (the Responses API numbers its events).
   */
  failure(kind: 'error_event' | 'response_failed', sent: number): string
}

/** Bytes with a content type (the sample image). */
export interface RawAnswer {
  type: 'raw'
  status: number
  contentType: string
  body: Buffer
}

export type Answer = JsonAnswer | StreamAnswer | RawAnswer

/** The wire dialects: they differ in paths, auth and error shapes. */
export type Dialect = 'openai' | 'anthropic' | 'codex'

/** Settings every handler may read. */
export interface HandlerSettings {
  name: string
  chunks: number
  models: string[]
  /** `http://host:port` of this simulator, for image URLs. */
  baseUrl: string
}

/** One request as a handler sees it. */
export interface HandlerContext {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body (undefined when the body was empty). */
  body: unknown
  settings: HandlerSettings
  /** A fresh id with a prefix, e.g. `chatcmpl-sim0001a`. */
  nextId(prefix: string): string
  /** The id of this request (`x-request-id` / `request-id`), which Anthropic repeats in error bodies. */
  requestId: string
  /** A tool call the script asks for instead of the simulator's own answer. */
  toolCall?: SimToolCall
  /** What this simulator has seen, for cached-token counts. */
  cache: PromptCache
}

export type Handler = (ctx: HandlerContext) => Answer

/** A JSON answer. */
export function json(status: number, body: unknown, tokens?: number): JsonAnswer {
  return {type: 'json', status, body, tokens}
}

/** A content frame (`data:` only, or with an `event:` name). */
export function chunkFrame(data: unknown, event?: string): Frame {
  return {text: formatSse(JSON.stringify(data), event), chunk: true}
}

/** A frame that carries no generated content (start, stop, usage). */
export function controlFrame(data: unknown, event?: string): Frame {
  return {text: formatSse(typeof data === 'string' ? data : JSON.stringify(data), event), chunk: false}
}

/** Seconds since the epoch, as `created` fields want it. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}
