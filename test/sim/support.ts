/** Small HTTP and SSE helpers for the simulator's tests (real requests over loopback). */
import {SseParser, type SseEvent} from '../../src/core/sse.js'

/** A fetch Response whose `json()` is typed loosely, for assertions on wire shapes. */
export type JsonResponse = Omit<Response, 'json'> & {json(): Promise<any>}

/** fetch, typed for tests that read JSON. */
export function request(url: string, init?: RequestInit): Promise<JsonResponse> {
  return fetch(url, init)
}

/** POSTs JSON and returns the fetch Response. */
export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<JsonResponse> {
  return fetch(url, {
    method: 'POST',
    headers: {'content-type': 'application/json', ...headers},
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  })
}

/** Reads an SSE body to its end (or until the connection fails) and returns the events and the failure, if any. */
export async function readSse(response: JsonResponse): Promise<{events: SseEvent[]; error?: Error}> {
  const parser = new SseParser()
  const events: SseEvent[] = []
  const decoder = new TextDecoder()
  const reader = response.body!.getReader()
  try {
    for (;;) {
      const {done, value} = await reader.read()
      if (done) break
      events.push(...parser.push(decoder.decode(value, {stream: true})))
    }
  } catch (error) {
    return {events, error: error as Error}
  }
  events.push(...parser.end())
  return {events}
}

/** The JSON payloads of SSE events (skipping `[DONE]`). */
export function payloads(events: SseEvent[]): any[] {
  return events.filter((event) => event.data !== '[DONE]').map((event) => JSON.parse(event.data))
}
