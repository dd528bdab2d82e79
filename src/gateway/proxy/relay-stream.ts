/**
 * A streamed answer, relayed event by event (translated when the upstream speaks another dialect). Until the first
 * event reaches the client the attempt can still fail over to the next target: an empty stream, a first event that
 * is the provider's error, a stream cut before its first whole event. After that, a failure ends the client's stream
 * with an error event in its API's shape, and no `[DONE]`.
 */
import type {ServerResponse} from 'node:http'
import {StringDecoder} from 'node:string_decoder'

import type {Endpoint} from '../../core/routing/schema.js'
import {AdapterError, type StreamTranslator} from '../adapters/types.js'
import type {ClientAbort} from '../client-abort.js'
import type {ClientDialect} from '../dialects/index.js'
import {UpstreamError, toUpstreamError, type UpstreamResponse} from '../upstream.js'
import {decodedBody} from './body.js'
import type {AttemptOutcome} from './outcome.js'
import {SsePassthrough} from './sse-passthrough.js'
import {usageFrom} from './usage.js'

export interface StreamRelayInput {
  response: UpstreamResponse
  translator: StreamTranslator | undefined
  endpoint: Endpoint
  /** The client's API: the error event that ends a broken stream. */
  dialect: ClientDialect
  signal: ClientAbort
  connectMs: number
  maxBytes: number
  res: ServerResponse
  /** Sends the client's status and headers; called once, just before the first event is written. */
  begin: () => void
}

/** What the relay learned by the time the upstream stopped. */
interface Progress {
  started: boolean
  bytesIn: number
  bytesOut: number
}

export async function relayStream(input: StreamRelayInput): Promise<AttemptOutcome> {
  const {response, translator, res, signal, connectMs} = input
  const passthrough = translator === undefined ? new SsePassthrough(input.endpoint) : undefined
  const progress: Progress = {started: false, bytesIn: 0, bytesOut: 0}
  const write = (out: string | Buffer, onBackpressure: () => void): void => {
    if (out.length === 0) return
    if (!progress.started) {
      progress.started = true
      input.begin()
    }
    progress.bytesOut += out.length
    if (!res.write(out)) onBackpressure()
  }
  try {
    await pump(input, passthrough, progress, write)
  } catch (error) {
    const failure =
      error instanceof AdapterError
        ? new UpstreamError('protocol_error', error.message)
        : toUpstreamError(error, signal)
    if (failure.errorType === 'client_abort')
      return {kind: 'client_gone', midStream: progress.started, bytesSent: progress.bytesOut}
    if (!progress.started) {
      const upstream =
        error instanceof AdapterError ? {message: error.message, type: error.type, code: error.code} : null
      return {
        kind: 'failed',
        status: null,
        errorType: failure.errorType,
        message: failure.message,
        upstream,
        cooldown: null,
        answered: null,
      }
    }
    if (!res.destroyed) res.end(input.dialect.streamError(failure.message))
    return {kind: 'broken', errorType: failure.errorType, message: failure.message, bytesSent: progress.bytesOut}
  }
  if (passthrough !== undefined) {
    const problem = passthrough.error ?? (passthrough.done ? null : undefined)
    if (problem !== null) {
      // The provider's error event, or an end before the stream's last event.
      const message =
        problem !== undefined
          ? `the upstream reported an error in the stream: ${problem.message}`
          : progress.started
            ? 'the upstream stream ended before its last event'
            : 'the upstream stream ended without an event'
      if (!progress.started) {
        const status = response.statusCode
        return {
          kind: 'failed',
          status,
          errorType: 'protocol_error',
          message,
          upstream: problem ?? null,
          cooldown: null,
          answered: {bytes: progress.bytesIn, connectMs},
        }
      }
      // The provider's own error event already reached the client; a silent end gets the gateway's.
      if (!res.destroyed) res.end(problem === undefined ? input.dialect.streamError(message) : undefined)
      return {kind: 'broken', errorType: 'protocol_error', message, bytesSent: progress.bytesOut}
    }
  }
  if (!progress.started) {
    return {
      kind: 'failed',
      status: response.statusCode,
      errorType: 'protocol_error',
      message: 'the upstream stream ended without an event',
      upstream: null,
      cooldown: null,
      answered: {bytes: progress.bytesIn, connectMs},
    }
  }
  res.end()
  const usage = translator === undefined ? usageFrom(passthrough!.tail()) : (translator.reportedUsage?.() ?? null)
  return {kind: 'streamed', status: response.statusCode, bytes: progress.bytesIn, usage, connectMs}
}

/** Moves the upstream's events to the client until the upstream ends; rejects on the first failure. */
function pump(
  input: StreamRelayInput,
  passthrough: SsePassthrough | undefined,
  progress: Progress,
  write: (out: string | Buffer, onBackpressure: () => void) => void,
): Promise<void> {
  const {response, translator, res, signal, maxBytes} = input
  const body = decodedBody(response)
  // Upstream bytes are UTF-8 that a chunk boundary may split inside a character.
  const decoder = translator === undefined ? undefined : new StringDecoder('utf8')
  return new Promise<void>((resolve, reject) => {
    let done = false
    const stop = (error: unknown): void => {
      if (done) return
      done = true
      signal.off('abort', onAbort)
      response.body.destroy()
      reject(error)
    }
    // A client that leaves while the upstream is paused for backpressure would otherwise wait forever.
    const onAbort = (): void => stop(new UpstreamError('client_abort', 'the client closed the connection'))
    signal.once('abort', onAbort)
    const backpressure = (): void => {
      body.setPaused(true)
      res.once('drain', () => body.setPaused(false))
    }
    body.consume({
      data: (chunk) => {
        if (done) return
        try {
          progress.bytesIn += chunk.length
          if (progress.bytesIn > maxBytes)
            throw new UpstreamError('response_too_large', 'the upstream stream is larger than allowed')
          if (translator !== undefined) return write(translator.push(decoder!.write(chunk)), backpressure)
          const events = passthrough!.push(chunk)
          // A first event that is the provider's error is a failed attempt, not something to relay: the upstream is
          // let go and `relayStream` reads the error from the passthrough.
          if (!progress.started && passthrough!.error !== null) {
            done = true
            signal.off('abort', onAbort)
            response.body.destroy()
            return resolve()
          }
          write(events, backpressure)
        } catch (error) {
          stop(error)
        }
      },
      end: () => {
        if (done) return
        try {
          if (translator !== undefined) write(translator.push(decoder!.end()) + translator.end(), backpressure)
          else if (progress.started || passthrough!.error === null) write(passthrough!.end(), backpressure)
          done = true
          signal.off('abort', onAbort)
          resolve()
        } catch (error) {
          stop(error)
        }
      },
      error: (error) => stop(error),
    })
  })
}
