/**
 * Reading an upstream body: decoded when the upstream ignored our `accept-encoding: identity`, with pause/resume for
 * backpressure, and whole answers read into one buffer under the size guard.
 */
import {createBrotliDecompress, createGunzip, createInflate} from 'node:zlib'
import type {Transform} from 'node:stream'

import {UpstreamError, type BodyConsumer, type UpstreamResponse} from '../upstream.js'

/** The upstream body, decoded if needed: one consumer, and pause/resume for backpressure. */
export interface DecodedBody {
  consume(consumer: BodyConsumer): void
  /** Pauses (true) or resumes (false) the upstream; usable before and during `consume`. */
  setPaused(paused: boolean): void
}

/**
 * Wraps the upstream body with a decoder for its `content-encoding`. `setPaused` exists before `consume` is called,
 * because chunks that arrived before the consumer are handed over inside `consume`, and writing one of them to the
 * client may already need backpressure (a first SSE event of 16 KB or more does).
 */
export function decodedBody(response: UpstreamResponse): DecodedBody {
  const {body} = response
  const decoder = decoderFor(response)
  if (decoder === undefined) {
    return {
      consume: (consumer) => body.consume(consumer),
      setPaused: (paused) => (paused ? body.pause() : body.resume()),
    }
  }
  return {
    consume(consumer) {
      decoder.on('data', (chunk: Buffer) => consumer.data(chunk))
      decoder.on('end', () => consumer.end())
      decoder.on('error', (error) => {
        body.destroy()
        consumer.error(new UpstreamError('protocol_error', `the upstream body does not decode: ${error.message}`))
      })
      body.consume({
        data: (chunk) => decoder.write(chunk),
        end: () => decoder.end(),
        error: (error) => {
          decoder.destroy()
          consumer.error(error)
        },
      })
    },
    setPaused: (paused) => (paused ? decoder.pause() : decoder.resume()),
  }
}

/**
 * A decoder for the upstream's `content-encoding`, when it ignored our `accept-encoding: identity`. Not undici's
 * `interceptors.decompress()` (7.x): it is experimental (it prints an ExperimentalWarning at start), leaves error
 * bodies compressed unless told otherwise (we parse them), and wraps every request in a handler for a case that asking
 * for `identity` makes rare.
 */
function decoderFor(response: UpstreamResponse): Transform | undefined {
  const encoding = headerString(response.headers['content-encoding'])?.toLowerCase()
  if (!encoding || encoding === 'identity') return undefined
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip()
  if (encoding === 'deflate') return createInflate()
  if (encoding === 'br') return createBrotliDecompress()
  return undefined
}

/**
 * Reads a whole (decoded) body, failing past `maxBytes`. `reserve(n)` is asked before each chunk is kept and may
 * refuse (the gateway-wide budget of buffered answers); what was reserved is the caller's to give back.
 */
export function readBody(
  response: UpstreamResponse,
  maxBytes: number,
  reserve: (bytes: number) => boolean,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined
    let chunks: Buffer[] | undefined
    let size = 0
    let failed = false
    const fail = (error: UpstreamError): void => {
      failed = true
      response.body.destroy()
      reject(error)
    }
    decodedBody(response).consume({
      data(chunk) {
        if (failed) return
        size += chunk.length
        if (size > maxBytes)
          return fail(new UpstreamError('response_too_large', `the upstream response is larger than ${maxBytes} bytes`))
        if (!reserve(chunk.length)) {
          return fail(
            new UpstreamError(
              'response_too_large',
              'the gateway holds too many large answers at once (max_buffered_response_bytes)',
            ),
          )
        }
        if (first === undefined) first = chunk
        else (chunks ??= [first]).push(chunk)
      },
      end() {
        if (failed) return
        if (chunks !== undefined) resolve(Buffer.concat(chunks, size))
        else resolve(first ?? Buffer.alloc(0))
      },
      error: reject,
    })
  })
}

export function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
