/**
 * A misbehaving provider on 127.0.0.1:0 for fault-matrix tests: each request is answered by the next scripted
 * handler (raw `node:http` request and response, so a handler can send anything a broken or hostile server sends:
 * a 16 KB first event, HTML with a 200, half an event and then a reset). Every request is recorded with its headers
 * and body. When the script is empty, requests get the `otherwise` handler's answer, by default an OpenAI-shaped 500
 * that says so, which no test expects.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>

export interface RecordedRequest {
  method: string
  /** The path and query exactly as the gateway sent them. */
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface HostileUpstream {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string
  requests: RecordedRequest[]
  /** Queues handlers, one per request, in order. */
  script(...handlers: UpstreamHandler[]): void
  /** Forgets recorded requests and queued handlers. */
  reset(): void
  close(): Promise<void>
}

export async function startHostileUpstream(otherwise?: UpstreamHandler): Promise<HostileUpstream> {
  const queue: UpstreamHandler[] = []
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      requests.push({method: req.method ?? '', url: req.url ?? '', headers: req.headers, body})
      const handler = queue.shift() ?? otherwise
      if (handler === undefined) {
        res.writeHead(500, {'content-type': 'application/json'})
        res.end(
          JSON.stringify({error: {message: 'hostile upstream: no scripted handler', type: 'server_error', code: null}}),
        )
        return
      }
      Promise.resolve(handler(req, res, body)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)))
      })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...handlers) => queue.push(...handlers),
    reset() {
      queue.length = 0
      requests.length = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Writes `text` and ends, with the given status and content type. */
export function answer(status: number, contentType: string | null, text: string): UpstreamHandler {
  return (_req, res) => {
    const headers: Record<string, string> = {}
    if (contentType !== null) headers['content-type'] = contentType
    res.writeHead(status, headers)
    res.end(text)
  }
}

/** An SSE answer from raw event texts, written as given (a test may leave out the blank line after the last one). */
export function sse(text: string, options: {status?: number; destroyAfter?: boolean} = {}): UpstreamHandler {
  return (_req, res) => {
    res.writeHead(options.status ?? 200, {'content-type': 'text/event-stream'})
    if (options.destroyAfter) {
      res.write(text, () => setImmediate(() => res.socket?.destroy()))
      return
    }
    res.end(text)
  }
}

/** A chat completion as OpenAI sends it (https://platform.openai.com/docs/api-reference/chat/object). */
export function chatCompletion(content: string, model = 'gpt-5-mini'): string {
  return JSON.stringify({
    id: 'chatcmpl-hostile1',
    object: 'chat.completion',
    created: 1765000000,
    model,
    choices: [
      {
        index: 0,
        message: {role: 'assistant', content, refusal: null, annotations: []},
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 12,
      completion_tokens: 3,
      total_tokens: 15,
      prompt_tokens_details: {cached_tokens: 0, audio_tokens: 0},
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: null,
  })
}

/** One `chat.completion.chunk` SSE event (https://platform.openai.com/docs/api-reference/chat-streaming). */
export function chatChunk(delta: Record<string, unknown>, finish: string | null = null, model = 'gpt-5-mini'): string {
  const chunk = {
    id: 'chatcmpl-hostile1',
    object: 'chat.completion.chunk',
    created: 1765000000,
    model,
    service_tier: 'default',
    system_fingerprint: null,
    choices: [{index: 0, delta, logprobs: null, finish_reason: finish}],
  }
  return `data: ${JSON.stringify(chunk)}\n\n`
}
