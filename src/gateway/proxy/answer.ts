/** What the gateway adds to an answer on its way to the client: the `_router` object, and the error event of a broken stream. */
import type {Endpoint} from '../../core/routing/schema.js'

/** Adds `"_router": {...}` as the last key of a JSON object text, without parsing it. Other JSON is left alone. */
export function injectRouter(json: string, routerJson: string): string {
  let end = json.length - 1
  while (end >= 0 && json.charCodeAt(end) <= 32) end--
  let start = 0
  while (start < end && json.charCodeAt(start) <= 32) start++
  if (json[start] !== '{' || json[end] !== '}') return json
  let inner = start + 1
  while (inner < end && json.charCodeAt(inner) <= 32) inner++
  const separator = inner === end ? '' : ','
  return `${json.slice(0, end)}${separator}"_router":${routerJson}}`
}

/** The SSE error event that ends a broken stream, in the shape each API's clients raise as an error. */
export function sseError(endpoint: Endpoint, message: string): string {
  const error = {message: `Upstream stream interrupted: ${message}`, type: 'upstream_error', code: 'stream_interrupted', param: null}
  if (endpoint === 'responses') {
    return `event: error\ndata: ${JSON.stringify({type: 'error', code: error.code, message: error.message, param: null, error})}\n\n`
  }
  if (endpoint === 'messages') {
    return `event: error\ndata: ${JSON.stringify({type: 'error', error: {type: 'api_error', message: error.message}})}\n\n`
  }
  return `data: ${JSON.stringify({error})}\n\n`
}
