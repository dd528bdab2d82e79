/**
 * A loopback stand-in for a gateway's `GET /v1/router/events`: real HTTP on 127.0.0.1, speaking the documented
 * format (`event: audit` + `data: <one audit event JSON>`). Tests push events, check the request headers, and stop
 * and restart it on the same port to make clients reconnect.
 */
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {formatSse} from '../../src/core/sse.js'

export interface SseAuditServer {
  url: string
  port: number
  /** Headers of every request received so far. */
  requests: IncomingMessage['headers'][]
  /** Sends an event to every connected client. */
  push(event: AuditEvent | string, name?: string): void
  /** Resolves once `n` clients have connected in total. */
  connected(n: number): Promise<void>
  /** Closes the server and cuts every open stream. */
  close(): Promise<void>
}

export interface SseAuditServerOptions {
  port?: number
  /** Required `Authorization: Bearer` key; other requests get 401. */
  apiKey?: string
  /** Events sent to each client as soon as it connects. */
  initial?: AuditEvent[]
}

export async function startSseAuditServer(options: SseAuditServerOptions = {}): Promise<SseAuditServer> {
  const clients = new Set<ServerResponse>()
  const requests: IncomingMessage['headers'][] = []
  const waiters: Array<{n: number; resolve: () => void}> = []
  let total = 0
  const server: Server = createServer((req, res) => {
    requests.push(req.headers)
    if (req.url !== '/v1/router/events') {
      res.writeHead(404, {'content-type': 'application/json'}).end('{"error":{"message":"not found"}}')
      return
    }
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      res.writeHead(401, {'content-type': 'application/json'}).end('{"error":{"message":"unauthorized"}}')
      return
    }
    res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'})
    res.write(': connected\n\n')
    for (const event of options.initial ?? []) res.write(formatSse(JSON.stringify(event), 'audit'))
    clients.add(res)
    res.on('close', () => clients.delete(res))
    total++
    for (const waiter of waiters.filter((w) => total >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    push(event, name = 'audit') {
      const data = typeof event === 'string' ? event : JSON.stringify(event)
      for (const client of clients) client.write(formatSse(data, name))
    },
    connected(n) {
      if (total >= n) return Promise.resolve()
      return new Promise((resolve) => waiters.push({n, resolve}))
    },
    async close() {
      for (const client of clients) client.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
