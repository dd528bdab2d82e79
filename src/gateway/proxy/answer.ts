/** What the gateway adds to an answer on its way to the client: the `_router` object. */

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
