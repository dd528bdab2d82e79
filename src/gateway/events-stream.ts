/**
 * `GET /v1/router/events`: the live audit event stream as Server-Sent Events, one message per event:
 *
 *     id: <gateway run>-<sequence>
 *     event: audit
 *     data: <the event as JSON, on one line>
 *
 * Comment lines (`: keepalive`) every `ROUTER_EVENTS_KEEPALIVE_SECONDS` keep idle connections open through proxies.
 * Each event is serialised once for every client. A client that does not keep up is disconnected once its unsent
 * backlog passes `ROUTER_EVENTS_MAX_BUFFER_BYTES`, rather than growing the gateway's memory; it reconnects with
 * `Last-Event-ID`, and the last 512 events of this gateway run are replayed from there (ids of another run, after a
 * restart, replay nothing). The event's own `request_id` is the only request id: the stream has none of its own.
 */
import {randomBytes} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type {FastifyReply, FastifyRequest} from 'fastify'

import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {AuditEvent} from '../core/audit/schema.js'
import {ERRORS} from './errors.js'

export interface EventStreamOptions {
  keepaliveMs: number
  maxBufferBytes: number
  /** Events kept for `Last-Event-ID` replays (default 512). */
  replay?: number
  /** The replay buffer keeps filling this long after the last client left (default 60 s), for quick reconnects. */
  replayLingerMs?: number
}

interface Client {
  res: ServerResponse
}

/** Fans the bus out to the connected event stream clients. */
export class EventStreamHub {
  private readonly clients = new Set<Client>()
  private readonly run = randomBytes(4).toString('hex')
  private seq = 0
  private readonly ring: string[]
  private readonly ringSeq: Float64Array
  /** Events are serialised (for clients and the replay buffer) only while this is set. */
  private recording = false
  private linger: NodeJS.Timeout | undefined
  private keepalive: NodeJS.Timeout | undefined
  private readonly unsubscribe: () => void
  private closed = false
  /** Clients disconnected for falling behind, since start. */
  dropped = 0

  constructor(
    bus: AuditEventBus,
    private readonly options: EventStreamOptions,
  ) {
    const size = options.replay ?? 512
    this.ring = new Array<string>(size)
    this.ringSeq = new Float64Array(size).fill(-1)
    this.unsubscribe = bus.subscribe((event) => this.publish(event))
  }

  /** Connected clients. */
  get size(): number {
    return this.clients.size
  }

  /** Serves one client until it leaves or the gateway shuts down. */
  serve(request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack()
    const res = reply.raw
    if (this.closed) {
      res.writeHead(503, {'content-type': 'application/json; charset=utf-8', connection: 'close'})
      res.end(JSON.stringify(ERRORS.eventStreamClosed().toBody()))
      return
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    })
    res.write('retry: 2000\n: connected\n\n')
    const lastId = request.headers['last-event-id']
    if (typeof lastId === 'string') this.replayAfter(res, lastId)
    const client: Client = {res}
    this.clients.add(client)
    this.recording = true
    clearTimeout(this.linger)
    res.on('close', () => {
      this.clients.delete(client)
      if (this.clients.size > 0) return
      this.stopKeepalive()
      // Keep filling the replay buffer for a while: the client may be reconnecting.
      clearTimeout(this.linger)
      this.linger = setTimeout(() => {
        if (this.clients.size === 0) this.recording = false
      }, this.options.replayLingerMs ?? 60_000)
      this.linger.unref()
    })
    this.startKeepalive()
  }

  /** Ends every stream (shutdown) and stops following the bus. */
  close(): void {
    this.closed = true
    this.unsubscribe()
    this.stopKeepalive()
    clearTimeout(this.linger)
    for (const client of this.clients) client.res.end()
    this.clients.clear()
  }

  private publish(event: AuditEvent): void {
    if (!this.recording) return
    const seq = ++this.seq
    const frame = `id: ${this.run}-${seq}\nevent: audit\ndata: ${JSON.stringify(event)}\n\n`
    const slot = seq % this.ring.length
    this.ring[slot] = frame
    this.ringSeq[slot] = seq
    for (const client of this.clients) this.send(client, frame)
  }

  private send(client: Client, frame: string): void {
    const {res} = client
    if (res.destroyed) return
    if (res.writableLength > this.options.maxBufferBytes) {
      // Too far behind: let it go (it reconnects and resumes from its last id) instead of buffering without end.
      this.dropped++
      this.clients.delete(client)
      res.destroy()
      return
    }
    res.write(frame)
  }

  private replayAfter(res: ServerResponse, lastId: string): void {
    const dash = lastId.lastIndexOf('-')
    if (dash === -1 || lastId.slice(0, dash) !== this.run) return
    const after = Number(lastId.slice(dash + 1))
    if (!Number.isInteger(after)) return
    const first = Math.max(after + 1, this.seq - this.ring.length + 1)
    for (let seq = first; seq <= this.seq; seq++) {
      const slot = seq % this.ring.length
      if (this.ringSeq[slot] === seq) res.write(this.ring[slot])
    }
  }

  private startKeepalive(): void {
    if (this.keepalive !== undefined) return
    this.keepalive = setInterval(() => {
      for (const client of this.clients) this.send(client, ': keepalive\n\n')
    }, this.options.keepaliveMs)
    this.keepalive.unref()
  }

  private stopKeepalive(): void {
    if (this.keepalive !== undefined) clearInterval(this.keepalive)
    this.keepalive = undefined
  }
}
