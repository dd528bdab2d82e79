/**
 * What `router sim` needs beyond the server: turning flag values into `SimOptions` (with usage errors that name the
 * flag) and the lines it prints.
 */
import {RouterError, UsageError} from '../core/errors.js'
import {FAILURE_KINDS, type FailureKind} from '../core/sim/schema.js'
import type {SimOptions, SimProtocol, SimRequestRecord, SimServer} from './types.js'

/** The command's flag values, as oclif parses them. */
export interface SimFlags {
  host: string
  port: number
  name: string
  protocol: SimProtocol | 'all'
  models?: string
  latency: number
  jitter: number
  tps?: string
  chunks: number
  'failure-rate': string
  'failure-kinds'?: string
  seed: number
  'retry-after': number
  'api-key'?: string
  fast: boolean
}

/** Checks the flags that oclif cannot check alone and builds the options. */
export function simOptionsFromFlags(flags: SimFlags): SimOptions {
  const failureRate = parseNumber(flags['failure-rate'], '--failure-rate', 0, 1)
  const tokensPerSecond = flags.tps === undefined ? undefined : parseNumber(flags.tps, '--tps', Number.MIN_VALUE, 1e6)
  return {
    host: flags.host,
    port: flags.port,
    name: flags.name,
    protocol: flags.protocol,
    models: flags.models === undefined ? undefined : splitList(flags.models),
    latencyMs: flags.latency,
    jitterMs: flags.jitter,
    tokensPerSecond,
    streamChunks: flags.chunks,
    failureRate,
    failureKinds: flags['failure-kinds'] === undefined ? undefined : parseFailureKinds(flags['failure-kinds']),
    seed: flags.seed,
    retryAfterSeconds: flags['retry-after'],
    apiKey: flags['api-key'],
    fast: flags.fast,
  }
}

/** `429,503,reset` → the kinds, or a usage error that lists the valid ones. */
export function parseFailureKinds(text: string): FailureKind[] {
  const kinds = splitList(text)
  const unknown = kinds.filter((kind) => !(FAILURE_KINDS as readonly string[]).includes(kind))
  if (unknown.length > 0 || kinds.length === 0) {
    throw new UsageError(
      `--failure-kinds: unknown failure kind${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ') || '(empty list)'}.`,
      {
        hint: `Use a comma-separated list of ${FAILURE_KINDS.join(', ')}.`,
      },
    )
  }
  return kinds as FailureKind[]
}

function parseNumber(text: string, flag: string, min: number, max: number): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    const range = min === 0 ? `between 0 and ${max}` : `greater than 0`
    throw new UsageError(`${flag} must be a number ${range}, got "${text}".`, {
      hint: `For example ${flag} ${min === 0 ? '0.1' : '50'}.`,
    })
  }
  return value
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

/** A clear error for a port that cannot be bound. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as {code?: string}).code
  if (code === 'EADDRINUSE') {
    return new RouterError('address_in_use', `Port ${port} on ${host} is already in use.`, {
      hint: 'Pick another --port, or --port 0 for a free one.',
    })
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new RouterError('listen_failed', `Cannot listen on ${host}:${port} (${code}).`, {
      hint: 'Use --host 127.0.0.1 and a port above 1023, or --port 0.',
    })
  }
  return error
}

/** The line printed once listening: human text, or the `listening` JSON event. */
export function listeningLine(server: SimServer, json: boolean): string {
  if (json) return JSON.stringify({event: 'listening', url: server.url, name: server.name, protocols: server.protocols})
  return `sim "${server.name}" listening on ${server.url} (${server.protocols.join(', ')})`
}

/** One short line per request: `POST /v1/chat/completions 200 stream 12ms model=gpt-5.2 [scripted status:503]`. */
export function requestLine(record: SimRequestRecord, json: boolean): string {
  const ms = (record.endedAt ?? Date.now()) - record.receivedAt
  const model =
    typeof record.body === 'object' && record.body !== null ? (record.body as {model?: unknown}).model : undefined
  if (json) {
    return JSON.stringify({
      event: 'request',
      seq: record.seq,
      method: record.method,
      path: record.path,
      status: record.status ?? null,
      model: typeof model === 'string' ? model : null,
      stream: record.stream,
      behaviour: record.behaviour,
      scripted: record.scripted,
      aborted: record.aborted,
      ms,
    })
  }
  const parts = [record.method, record.path, record.status === undefined ? '---' : String(record.status)]
  if (record.stream) parts.push('stream')
  parts.push(`${ms}ms`)
  if (typeof model === 'string') parts.push(`model=${model}`)
  if (record.behaviour !== 'ok') parts.push(`[${record.scripted ? 'scripted ' : ''}${record.behaviour}]`)
  if (record.aborted) parts.push('aborted by client')
  return parts.join(' ')
}
